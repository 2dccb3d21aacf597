-- EverTask SQLite schema, version 2: the instance registry.
-- One row per running engine, upserted by its heartbeat; queues as a JSON array of names.

CREATE TABLE {prefix}instances (
  id TEXT NOT NULL PRIMARY KEY,
  hostname TEXT NOT NULL,
  pid INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  queues TEXT NOT NULL
);
