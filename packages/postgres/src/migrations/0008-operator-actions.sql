-- name: operator actions
-- Who made a status change (NULL: the engine itself), and the paused queues, which claims and
-- nextDueAt leave out (src/queries/queue-state.ts, src/queries/claims.ts).
ALTER TABLE {{schema}}.status_audit ADD COLUMN IF NOT EXISTS actor text;
CREATE TABLE IF NOT EXISTS {{schema}}.paused_queues (
  queue text PRIMARY KEY,
  paused_at int8 NOT NULL,
  paused_by text
);
