-- name: pending scans use the creation index
-- The keyset scan of unfinished tasks (start-up recovery only) walks tasks_created_idx with a
-- status filter instead of keeping a second (created_at, id) index that every insert writes.
DROP INDEX {{schema}}.tasks_pending_idx;
