-- name: statistics and dashboard reads on indexes
-- Three changes for the monitor over a million tasks (docs/performance.md has the figures):
-- - The statistics (src/queries/statistics.ts) select tasks by a creation-time range and group
--   them by status, bucket, name or queue, aggregating execution_time_ms. With those columns
--   INCLUDEd in the creation index a range is an index-only scan. The index is widened, not added:
--   an insert or a status change writes one entry into it as before (a status change is never a
--   HOT update anyway: status is in partial-index predicates); its (created_at, id) key still
--   serves the pages sorted by creation.
-- - The latest changed tasks (the dashboard's recent activity, pages sorted by updated_at) walk
--   an index on (updated_at, id) instead of sorting the table. It replaces the retention index
--   (updated_at of finished one-off tasks), whose cleanup range it serves as well; it also holds
--   the unfinished tasks, whose every write already rewrites their due or lease index entry.
-- - The counts of recurring tasks read a partial index of the recurring series only (a handful of
--   rows, written only for them).
DROP INDEX {{schema}}.tasks_created_idx;
CREATE INDEX tasks_created_idx ON {{schema}}.tasks (created_at, id) INCLUDE (status, queue, name, execution_time_ms);
DROP INDEX {{schema}}.tasks_retention_idx;
CREATE INDEX tasks_updated_idx ON {{schema}}.tasks (updated_at, id);
CREATE INDEX tasks_recurring_idx ON {{schema}}.tasks (queue, status) WHERE recurring IS NOT NULL;
