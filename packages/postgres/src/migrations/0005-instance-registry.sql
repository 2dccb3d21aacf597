-- name: instance registry
-- One row per running engine, upserted by its heartbeat: what the dashboard lists as instances.
CREATE TABLE {{schema}}.instances (
  id text PRIMARY KEY,
  hostname text NOT NULL,
  pid integer NOT NULL,
  started_at bigint NOT NULL,
  heartbeat_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  queues text[] NOT NULL
);
