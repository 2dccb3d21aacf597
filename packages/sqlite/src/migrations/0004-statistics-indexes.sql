-- EverTask SQLite schema, version 4: the indexes of the statistics (src/queries/statistics.ts)
-- cover their queries, so that the dashboard's figures over a million tasks read index entries
-- only, never the table. Each widens an index of version 1 instead of adding one, so an insert or
-- a status change writes as many index entries as before:
-- - (status, created_at, id, execution_time_ms): the timeline counts each (status, bucket) as one
--   range of it; the filtered, sorted pages of one status still walk it in order;
-- - (queue, status, created_at, execution_time_ms): tasks by queue, walked in group order;
-- - (name, status, created_at, execution_time_ms): tasks by name, walked in group order.

DROP INDEX {prefix}tasks_status;
CREATE INDEX {prefix}tasks_status ON {prefix}tasks (status, created_at, id, execution_time_ms);
DROP INDEX {prefix}tasks_queue;
CREATE INDEX {prefix}tasks_queue ON {prefix}tasks (queue, status, created_at, execution_time_ms);
DROP INDEX {prefix}tasks_name;
CREATE INDEX {prefix}tasks_name ON {prefix}tasks (name, status, created_at, execution_time_ms);

-- The counts of recurring tasks read a partial index of the recurring series only (a handful of
-- rows, written only for them).
CREATE INDEX {prefix}tasks_recurring ON {prefix}tasks (queue, status) WHERE recurring IS NOT NULL;
