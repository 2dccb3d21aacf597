-- name: tasks, audits and execution logs
-- Times are bigint epoch milliseconds, exactly as the storage port carries them: the database
-- compares them natively (every due/lease/retention predicate runs in SQL), without a time-zone or
-- precision conversion on the hot path. to_timestamp(col / 1000.0) gives a readable time.
CREATE TABLE {{schema}}.tasks (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  payload text NOT NULL,
  status text NOT NULL,
  queue text NOT NULL,
  task_key text,
  audit_level text NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  scheduled_at bigint,
  due_at bigint,
  attempts integer NOT NULL DEFAULT 0,
  last_execution_at bigint,
  execution_time_ms double precision,
  error text,
  lease_owner text,
  lease_expires_at bigint,
  recovery_failures integer NOT NULL DEFAULT 0,
  recurring text,
  recurring_info text,
  run_count integer NOT NULL DEFAULT 0,
  max_runs integer,
  run_until bigint,
  last_outcome text
) WITH (fillfactor = 80);

-- One task per key (NULL keys do not collide).
CREATE UNIQUE INDEX tasks_task_key_uq ON {{schema}}.tasks (task_key);
-- The hot due query: only runnable rows are in this index.
CREATE INDEX tasks_due_idx ON {{schema}}.tasks (due_at, id)
  WHERE status IN ('waiting', 'service-stopped');
-- Expired leases (crashed instances) and lease renewal: only leased rows.
CREATE INDEX tasks_lease_idx ON {{schema}}.tasks (lease_expires_at)
  WHERE status IN ('queued', 'in-progress');
-- Lease renewal (heartbeat) by owner: only leased rows.
CREATE INDEX tasks_lease_owner_idx ON {{schema}}.tasks (lease_owner)
  WHERE status IN ('queued', 'in-progress');
-- Recovery / pending keyset scan over non-terminal rows.
CREATE INDEX tasks_pending_idx ON {{schema}}.tasks (created_at, id)
  WHERE status IN ('waiting', 'queued', 'in-progress', 'service-stopped');
-- Dashboard: default sort, counts by status and queue.
CREATE INDEX tasks_created_idx ON {{schema}}.tasks (created_at, id);
CREATE INDEX tasks_status_queue_idx ON {{schema}}.tasks (status, queue);
-- Retention: finished one-off tasks by last write.
CREATE INDEX tasks_retention_idx ON {{schema}}.tasks (updated_at)
  WHERE status IN ('completed', 'failed', 'cancelled') AND recurring IS NULL;

CREATE TABLE {{schema}}.status_audit (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_id uuid NOT NULL REFERENCES {{schema}}.tasks (id) ON DELETE CASCADE,
  status text NOT NULL,
  at bigint NOT NULL,
  error text
);
CREATE INDEX status_audit_task_idx ON {{schema}}.status_audit (task_id, at);
CREATE INDEX status_audit_at_idx ON {{schema}}.status_audit (at);

CREATE TABLE {{schema}}.run_audit (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_id uuid NOT NULL REFERENCES {{schema}}.tasks (id) ON DELETE CASCADE,
  at bigint NOT NULL,
  status text NOT NULL,
  execution_time_ms double precision NOT NULL,
  error text
);
CREATE INDEX run_audit_task_idx ON {{schema}}.run_audit (task_id, at);
CREATE INDEX run_audit_at_idx ON {{schema}}.run_audit (at);

CREATE TABLE {{schema}}.execution_logs (
  id uuid PRIMARY KEY,
  task_id uuid NOT NULL REFERENCES {{schema}}.tasks (id) ON DELETE CASCADE,
  at bigint NOT NULL,
  level text NOT NULL,
  message text NOT NULL,
  exception text,
  sequence integer NOT NULL
);
CREATE INDEX execution_logs_task_idx ON {{schema}}.execution_logs (task_id, at, sequence, id);
CREATE INDEX execution_logs_at_idx ON {{schema}}.execution_logs (at);
