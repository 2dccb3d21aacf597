-- EverTask SQLite schema, version 1: tasks, their status and run audit, and execution logs.
-- {prefix} is replaced by the storage's "tablePrefix" (default evertask_).
-- The partial-index predicates are repeated word for word by the queries (src/queries/tables.ts).

CREATE TABLE {prefix}tasks (
  id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('waiting', 'queued', 'in-progress', 'completed', 'failed', 'cancelled', 'service-stopped')),
  queue TEXT NOT NULL,
  task_key TEXT,
  audit_level TEXT NOT NULL CHECK (audit_level IN ('full', 'minimal', 'errors-only', 'none')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  scheduled_at INTEGER,
  due_at INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_execution_at INTEGER,
  execution_time_ms REAL,
  error TEXT,
  lease_owner TEXT,
  lease_expires_at INTEGER,
  recovery_failures INTEGER NOT NULL DEFAULT 0,
  recurring TEXT,
  recurring_info TEXT,
  run_count INTEGER NOT NULL DEFAULT 0,
  max_runs INTEGER,
  run_until INTEGER,
  last_outcome TEXT CHECK (last_outcome IS NULL OR last_outcome IN ('completed', 'failed'))
);
CREATE UNIQUE INDEX {prefix}tasks_task_key ON {prefix}tasks (task_key);
CREATE INDEX {prefix}tasks_due ON {prefix}tasks (due_at) WHERE status IN ('waiting', 'service-stopped');
CREATE INDEX {prefix}tasks_lease_expiry ON {prefix}tasks (lease_expires_at) WHERE status IN ('queued', 'in-progress');
CREATE INDEX {prefix}tasks_lease_owner ON {prefix}tasks (lease_owner) WHERE lease_owner IS NOT NULL;
CREATE INDEX {prefix}tasks_pending ON {prefix}tasks (created_at, id) WHERE status IN ('waiting', 'queued', 'in-progress', 'service-stopped');
CREATE INDEX {prefix}tasks_status ON {prefix}tasks (status, created_at, id);
CREATE INDEX {prefix}tasks_queue ON {prefix}tasks (queue, status);
CREATE INDEX {prefix}tasks_created ON {prefix}tasks (created_at, id);
CREATE INDEX {prefix}tasks_updated ON {prefix}tasks (updated_at);
CREATE INDEX {prefix}tasks_name ON {prefix}tasks (name);

CREATE TABLE {prefix}status_audit (
  id INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES {prefix}tasks (id) ON DELETE CASCADE,
  status TEXT NOT NULL CHECK (status IN ('waiting', 'queued', 'in-progress', 'completed', 'failed', 'cancelled', 'service-stopped')),
  at INTEGER NOT NULL,
  error TEXT
);
CREATE INDEX {prefix}status_audit_task ON {prefix}status_audit (task_id, at);
CREATE INDEX {prefix}status_audit_at ON {prefix}status_audit (at);

CREATE TABLE {prefix}run_audit (
  id INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES {prefix}tasks (id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('waiting', 'queued', 'in-progress', 'completed', 'failed', 'cancelled', 'service-stopped')),
  execution_time_ms REAL NOT NULL,
  error TEXT
);
CREATE INDEX {prefix}run_audit_task ON {prefix}run_audit (task_id, at);
CREATE INDEX {prefix}run_audit_at ON {prefix}run_audit (at);

CREATE TABLE {prefix}execution_logs (
  id TEXT NOT NULL PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES {prefix}tasks (id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('trace', 'debug', 'information', 'warning', 'error', 'critical')),
  message TEXT NOT NULL,
  exception TEXT,
  sequence INTEGER NOT NULL
);
CREATE INDEX {prefix}execution_logs_task ON {prefix}execution_logs (task_id, at, sequence, id);
CREATE INDEX {prefix}execution_logs_at ON {prefix}execution_logs (at);
