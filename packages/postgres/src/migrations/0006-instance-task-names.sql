-- name: instance task names
-- The task names each instance runs, so that an operator sees a waiting task whose name no alive
-- instance knows. Engines claim only those names.
ALTER TABLE {{schema}}.instances ADD COLUMN task_names text[] NOT NULL DEFAULT '{}';
