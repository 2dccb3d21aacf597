import { InvalidArgumentError } from 'evertask';
import { TASK_KEY_INDEX } from './postgres-errors.js';

/** Schema names the storage accepts: a lowercase, unquoted-safe SQL identifier. */
export const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** Throws `InvalidArgumentError` unless `schema` is a lowercase SQL identifier. */
export function validateSchemaName(schema: unknown): string {
  if (typeof schema !== 'string' || !SCHEMA_PATTERN.test(schema)) {
    throw new InvalidArgumentError(
      `PostgresStorage option "schema" must be a lowercase SQL identifier matching ${String(SCHEMA_PATTERN)} ` +
        `(letters a-z, digits and "_", not starting with a digit, at most 63 characters); received ${JSON.stringify(schema)}. ` +
        `Use e.g. "evertask" or "evertask_billing".`,
    );
  }
  return schema;
}

/** Quotes a validated schema name as an identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** One versioned migration. Its SQL uses `{{schema}}` for the quoted schema identifier. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The migrations, oldest first. Never edit one that shipped: add a new version.
 *
 * Times are `bigint` epoch milliseconds, exactly as the storage port carries them: the database
 * compares them natively (every due/lease/retention predicate runs in SQL), without a time-zone or
 * precision conversion on the hot path. `to_timestamp(col / 1000.0)` gives a readable time.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tasks, audits and execution logs',
    sql: `
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
CREATE UNIQUE INDEX ${TASK_KEY_INDEX} ON {{schema}}.tasks (task_key);
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
`,
  },
  {
    version: 2,
    name: 'task-key index without the rows that have no key',
    // Most tasks have no key: a partial unique index keeps their inserts from touching it at all
    // (one index write fewer per task on the bulk-insert path), with the same uniqueness.
    sql: `
DROP INDEX {{schema}}.${TASK_KEY_INDEX};
CREATE UNIQUE INDEX ${TASK_KEY_INDEX} ON {{schema}}.tasks (task_key) WHERE task_key IS NOT NULL;
`,
  },
  {
    version: 3,
    name: 'pending scans use the creation index',
    // The keyset scan of unfinished tasks (start-up recovery only) walks tasks_created_idx with a
    // status filter instead of keeping a second (created_at, id) index that every insert writes.
    sql: `
DROP INDEX {{schema}}.tasks_pending_idx;
`,
  },
  {
    version: 4,
    name: 'two index writes fewer per insert and per status change',
    // Every insert and every status change (a status change is never a HOT update: status is in the
    // partial indexes' predicates) writes one entry into every index of the table. Two of them
    // served rare reads only:
    // - (status, queue) counted tasks for a dashboard: counts of unfinished statuses walk the
    //   partial due/lease indexes, finished ones the retention index or the table;
    // - lease_owner served lease renewal, whose rows (the leased ones) tasks_lease_idx already
    //   holds, and they are few: at most the claim buffers of the live instances.
    sql: `
DROP INDEX {{schema}}.tasks_status_queue_idx;
DROP INDEX {{schema}}.tasks_lease_owner_idx;
`,
  },
  {
    version: 5,
    name: 'instance registry',
    // One row per running engine, upserted by its heartbeat: what the dashboard lists as instances.
    sql: `
CREATE TABLE {{schema}}.instances (
  id text PRIMARY KEY,
  hostname text NOT NULL,
  pid integer NOT NULL,
  started_at bigint NOT NULL,
  heartbeat_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  queues text[] NOT NULL
);
`,
  },
];

/** The schema version this package needs. */
export const LATEST_MIGRATION_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** The SQL of one migration for a schema. */
export function renderMigration(migration: Migration, schema: string): string {
  return migration.sql.replaceAll('{{schema}}', quoteIdent(validateSchemaName(schema))).trim();
}

/** Statement that creates the schema and its migrations bookkeeping table. */
export function bootstrapSql(schema: string): string {
  const s = quoteIdent(validateSchemaName(schema));
  return `CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);`;
}

/**
 * 64-bit advisory-lock key for migrating one schema (FNV-1a of `evertask:migrate:<schema>`), as a
 * decimal string for a `bigint` parameter.
 */
export function migrationLockKey(schema: string): string {
  let hash = 0xcbf29ce484222325n;
  const mask = (1n << 64n) - 1n;
  for (const byte of Buffer.from(`evertask:migrate:${schema}`, 'utf8')) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & mask;
  }
  return BigInt.asIntN(64, hash).toString();
}

/**
 * The whole migration as one SQL script for a schema, for tools that print or apply it (e.g. an
 * `evertask migrate` CLI, or a deployment pipeline that runs migrations before the application
 * starts with `migrate: false`). Runs in one transaction under the same advisory lock as
 * `open()`, and applies only versions above `fromVersion` (the schema's current version, 0 for a
 * fresh database), recording each in `<schema>.migrations`.
 */
export function postgresMigrationSql(schema: string = 'evertask', fromVersion = 0): string {
  const s = quoteIdent(validateSchemaName(schema));
  const parts = ['BEGIN;', `SELECT pg_advisory_xact_lock(${migrationLockKey(schema)});`, bootstrapSql(schema)];
  for (const migration of MIGRATIONS) {
    if (migration.version <= fromVersion) continue;
    parts.push(`-- migration ${migration.version}: ${migration.name}`);
    parts.push(renderMigration(migration, schema));
    parts.push(
      `INSERT INTO ${s}.migrations (version, name) VALUES (${migration.version}, '${migration.name.replace(/'/g, "''")}');`,
    );
  }
  parts.push('COMMIT;');
  return `${parts.join('\n')}\n`;
}
