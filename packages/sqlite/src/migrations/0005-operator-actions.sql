-- EverTask SQLite schema, version 5: operator actions. Who made a status change (null: the engine
-- itself), and the paused queues, which claims leave out (src/queries/queue-state.ts).

ALTER TABLE {prefix}status_audit ADD COLUMN actor TEXT;

CREATE TABLE {prefix}paused_queues (
  queue TEXT NOT NULL PRIMARY KEY,
  paused_at INTEGER NOT NULL,
  paused_by TEXT
);
