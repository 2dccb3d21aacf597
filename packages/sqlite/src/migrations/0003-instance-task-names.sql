-- EverTask SQLite schema, version 3: the task names each instance runs (a JSON array), so that an
-- operator sees a waiting task whose name no alive instance knows. Engines claim only those names.

ALTER TABLE {prefix}instances ADD COLUMN task_names TEXT NOT NULL DEFAULT '[]';
