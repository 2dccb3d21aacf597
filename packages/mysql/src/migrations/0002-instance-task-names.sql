-- name: instance task names
-- The task names each instance runs (a JSON array), so that an operator sees a waiting task whose
-- name no alive instance knows; engines claim only those names. NULL on rows written before this
-- column (read as an empty list): MySQL before 8.0.13 takes no default on a LONGTEXT column.
ALTER TABLE {{prefix}}instances ADD COLUMN task_names LONGTEXT NULL;
