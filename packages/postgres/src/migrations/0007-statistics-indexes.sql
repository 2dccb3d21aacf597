-- name: statistics read the creation index only
-- The statistics (src/queries/statistics.ts) select tasks by a creation-time range and group them
-- by status, bucket, name or queue, aggregating execution_time_ms. With those columns INCLUDEd in
-- the creation index, a range is an index-only scan (the heap is not read for all-visible pages).
-- The index is widened, not added: every insert and every status change writes one entry into it
-- as before (a status change is never a HOT update anyway: status is in partial-index
-- predicates), and the (created_at, id) key still serves the pages sorted by creation.
DROP INDEX {{schema}}.tasks_created_idx;
CREATE INDEX tasks_created_idx ON {{schema}}.tasks (created_at, id) INCLUDE (status, queue, name, execution_time_ms);
