-- name: task-key index without the rows that have no key
-- Most tasks have no key: a partial unique index keeps their inserts from touching it at all
-- (one index write fewer per task on the bulk-insert path), with the same uniqueness.
DROP INDEX {{schema}}.tasks_task_key_uq;
CREATE UNIQUE INDEX tasks_task_key_uq ON {{schema}}.tasks (task_key) WHERE task_key IS NOT NULL;
