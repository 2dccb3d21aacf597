-- name: two index writes fewer per insert and per status change
-- Every insert and every status change (a status change is never a HOT update: status is in the
-- partial indexes' predicates) writes one entry into every index of the table. Two of them
-- served rare reads only:
-- - (status, queue) counted tasks for a dashboard: counts of unfinished statuses walk the
--   partial due/lease indexes, finished ones the retention index or the table;
-- - lease_owner served lease renewal, whose rows (the leased ones) tasks_lease_idx already
--   holds, and they are few: at most the claim buffers of the live instances.
DROP INDEX {{schema}}.tasks_status_queue_idx;
DROP INDEX {{schema}}.tasks_lease_owner_idx;
