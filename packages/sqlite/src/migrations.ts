/**
 * Versioned schema migrations, kept as constants in the code (no file reads at run time). Each
 * migration is applied once, in order, inside one `BEGIN IMMEDIATE` transaction together with the
 * row that records it in `<prefix>migrations`; two processes opening a new file at the same moment
 * therefore migrate it exactly once (the second waits for the lock, then sees the version).
 */

export interface TableNames {
  tasks: string;
  statusAudit: string;
  runAudit: string;
  logs: string;
  instances: string;
  migrations: string;
}

export function tableNames(prefix: string): TableNames {
  return {
    tasks: `${prefix}tasks`,
    statusAudit: `${prefix}status_audit`,
    runAudit: `${prefix}run_audit`,
    logs: `${prefix}execution_logs`,
    instances: `${prefix}instances`,
    migrations: `${prefix}migrations`,
  };
}

export interface Migration {
  version: number;
  name: string;
  /** Tables the migration creates: if one already exists before it runs, the file is not ours. */
  creates: (t: TableNames) => string[];
  sql: (t: TableNames) => string;
}

const STATUS_LIST = `'waiting', 'queued', 'in-progress', 'completed', 'failed', 'cancelled', 'service-stopped'`;
const AUDIT_LEVEL_LIST = `'full', 'minimal', 'errors-only', 'none'`;
const LOG_LEVEL_LIST = `'trace', 'debug', 'information', 'warning', 'error', 'critical'`;

/**
 * The partial-index predicates. Queries repeat them word for word so that SQLite can prove the
 * partial index covers the query.
 */
export const DUE_STATUSES_SQL = `status IN ('waiting', 'service-stopped')`;
export const LEASED_STATUSES_SQL = `status IN ('queued', 'in-progress')`;
export const ACTIVE_STATUSES_SQL = `status IN ('waiting', 'queued', 'in-progress', 'service-stopped')`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    creates: (t) => [t.tasks, t.statusAudit, t.runAudit, t.logs],
    sql: (t) => `
CREATE TABLE ${t.tasks} (
  id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN (${STATUS_LIST})),
  queue TEXT NOT NULL,
  task_key TEXT,
  audit_level TEXT NOT NULL CHECK (audit_level IN (${AUDIT_LEVEL_LIST})),
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
CREATE UNIQUE INDEX ${t.tasks}_task_key ON ${t.tasks} (task_key);
CREATE INDEX ${t.tasks}_due ON ${t.tasks} (due_at) WHERE ${DUE_STATUSES_SQL};
CREATE INDEX ${t.tasks}_lease_expiry ON ${t.tasks} (lease_expires_at) WHERE ${LEASED_STATUSES_SQL};
CREATE INDEX ${t.tasks}_lease_owner ON ${t.tasks} (lease_owner) WHERE lease_owner IS NOT NULL;
CREATE INDEX ${t.tasks}_pending ON ${t.tasks} (created_at, id) WHERE ${ACTIVE_STATUSES_SQL};
CREATE INDEX ${t.tasks}_status ON ${t.tasks} (status, created_at, id);
CREATE INDEX ${t.tasks}_queue ON ${t.tasks} (queue, status);
CREATE INDEX ${t.tasks}_created ON ${t.tasks} (created_at, id);
CREATE INDEX ${t.tasks}_updated ON ${t.tasks} (updated_at);
CREATE INDEX ${t.tasks}_name ON ${t.tasks} (name);

CREATE TABLE ${t.statusAudit} (
  id INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES ${t.tasks} (id) ON DELETE CASCADE,
  status TEXT NOT NULL CHECK (status IN (${STATUS_LIST})),
  at INTEGER NOT NULL,
  error TEXT
);
CREATE INDEX ${t.statusAudit}_task ON ${t.statusAudit} (task_id, at);
CREATE INDEX ${t.statusAudit}_at ON ${t.statusAudit} (at);

CREATE TABLE ${t.runAudit} (
  id INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES ${t.tasks} (id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN (${STATUS_LIST})),
  execution_time_ms REAL NOT NULL,
  error TEXT
);
CREATE INDEX ${t.runAudit}_task ON ${t.runAudit} (task_id, at);
CREATE INDEX ${t.runAudit}_at ON ${t.runAudit} (at);

CREATE TABLE ${t.logs} (
  id TEXT NOT NULL PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES ${t.tasks} (id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  level TEXT NOT NULL CHECK (level IN (${LOG_LEVEL_LIST})),
  message TEXT NOT NULL,
  exception TEXT,
  sequence INTEGER NOT NULL
);
CREATE INDEX ${t.logs}_task ON ${t.logs} (task_id, at, sequence, id);
CREATE INDEX ${t.logs}_at ON ${t.logs} (at);
`,
  },
  {
    version: 2,
    name: 'instance registry',
    creates: (t) => [t.instances],
    // One row per running engine, upserted by its heartbeat; queues as a JSON array of names.
    sql: (t) => `
CREATE TABLE ${t.instances} (
  id TEXT NOT NULL PRIMARY KEY,
  hostname TEXT NOT NULL,
  pid INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  queues TEXT NOT NULL
);
`,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** Columns each table must have after migration (checked on open, so a foreign table of the same name is caught). */
export function expectedColumns(t: TableNames): Record<string, readonly string[]> {
  return {
    [t.tasks]: [
      'id', 'name', 'payload', 'status', 'queue', 'task_key', 'audit_level', 'created_at', 'updated_at',
      'scheduled_at', 'due_at', 'attempts', 'last_execution_at', 'execution_time_ms', 'error', 'lease_owner',
      'lease_expires_at', 'recovery_failures', 'recurring', 'recurring_info', 'run_count', 'max_runs', 'run_until',
      'last_outcome',
    ],
    [t.statusAudit]: ['id', 'task_id', 'status', 'at', 'error'],
    [t.runAudit]: ['id', 'task_id', 'at', 'status', 'execution_time_ms', 'error'],
    [t.logs]: ['id', 'task_id', 'at', 'level', 'message', 'exception', 'sequence'],
    [t.instances]: ['id', 'hostname', 'pid', 'started_at', 'heartbeat_at', 'expires_at', 'queues'],
    [t.migrations]: ['version', 'name', 'applied_at'],
  };
}

export function migrationsTableSql(t: TableNames): string {
  return `CREATE TABLE IF NOT EXISTS ${t.migrations} (
  version INTEGER NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at INTEGER NOT NULL
)`;
}
