import type { Pool } from 'pg';
import { EverTaskError, StorageError } from 'evertask';
import { loadMigrationFiles } from 'evertask/storage-kit';
import type { Queryable } from './connection.js';
import { toStorageError } from './postgres-errors.js';
import { quoteIdent, validateSchemaName } from './postgres-storage-options.js';

/** One versioned migration. Its SQL uses `{{schema}}` for the quoted schema identifier. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Where the `.sql` files are: next to this module, in `src/` and in `dist/` alike. */
const MIGRATIONS_DIRECTORY = new URL('./migrations/', import.meta.url);

/**
 * Reads `migrations/*.sql`, oldest first, and checks that their versions run 1, 2, 3… without a
 * gap and each names itself. Never edit a file that shipped: add a new version.
 */
export function loadMigrations(directory: URL = MIGRATIONS_DIRECTORY): Migration[] {
  return loadMigrationFiles('@evertask/postgres', directory);
}

/**
 * The migrations, oldest first (`src/migrations/NNNN-*.sql`).
 *
 * Times are `bigint` epoch milliseconds, exactly as the storage port carries them: the database
 * compares them natively (every due/lease/retention predicate runs in SQL), without a time-zone or
 * precision conversion on the hot path. `to_timestamp(col / 1000.0)` gives a readable time.
 */
export const MIGRATIONS: readonly Migration[] = loadMigrations();

/** The schema version this package needs. */
export const LATEST_MIGRATION_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** The SQL of one migration for a schema. */
function renderMigration(migration: Migration, schema: string): string {
  return migration.sql.replaceAll('{{schema}}', quoteIdent(validateSchemaName(schema))).trim();
}

/** Statement that creates the schema and its migrations bookkeeping table. */
function bootstrapSql(schema: string): string {
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
function migrationLockKey(schema: string): string {
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

/** The applied migration version of a schema (0 when it has none). */
async function schemaVersion(db: Queryable, quotedSchema: string): Promise<number> {
  const res = await db.query<{ v: number | null }>({
    text: `SELECT CASE WHEN to_regclass($1) IS NULL THEN 0 END AS v`,
    values: [`${quotedSchema}.migrations`],
  });
  if (res.rows[0]?.v === 0) return 0;
  const max = await db.query<{ v: number | null }>({ text: `SELECT max(version) AS v FROM ${quotedSchema}.migrations` });
  return max.rows[0]?.v ?? 0;
}

/** Applies the missing migrations in one transaction under the schema's advisory lock. */
async function applyMigrations(pool: Pool, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  const client = await pool.connect();
  // as in PostgresConnection.transaction: a drop mid-migration rejects the statement, never crashes
  const ignoreDrop = (): void => undefined;
  client.on('error', ignoreDrop);
  try {
    await client.query('BEGIN');
    await client.query({ text: 'SELECT pg_advisory_xact_lock($1::int8)', values: [migrationLockKey(schema)] });
    await client.query(bootstrapSql(schema));
    const applied = await client.query<{ version: number }>(`SELECT version FROM ${s}.migrations`);
    const done = new Set(applied.rows.map((r) => r.version));
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await client.query(renderMigration(migration, schema));
      await client.query({
        text: `INSERT INTO ${s}.migrations (version, name) VALUES ($1, $2)`,
        values: [migration.version, migration.name],
      });
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.off('error', ignoreDrop);
    client.release();
  }
}

/**
 * Brings a schema to the version this package needs (`migrate: true`, the default), or checks that
 * it is there and throws a `StorageError` naming the fix otherwise (`migrate: false`).
 */
export async function prepareSchema(pool: Pool, schema: string, migrate: boolean): Promise<void> {
  try {
    const version = await schemaVersion(pool, quoteIdent(schema));
    if (version > LATEST_MIGRATION_VERSION) {
      throw new StorageError(
        `PostgresStorage: schema "${schema}" is at migration version ${version}, newer than this ` +
          `@evertask/postgres supports (${LATEST_MIGRATION_VERSION}). Upgrade @evertask/postgres in this application.`,
      );
    }
    if (version === LATEST_MIGRATION_VERSION) return;
    if (!migrate) {
      throw new StorageError(
        `PostgresStorage: schema "${schema}" is at migration version ${version}, but this version of ` +
          `@evertask/postgres needs version ${LATEST_MIGRATION_VERSION}. Apply the migrations (postgresMigrationSql("${schema}", ${version}), ` +
          `or "evertask migrate"), or construct the storage with migrate: true.`,
      );
    }
    await applyMigrations(pool, schema);
  } catch (error) {
    throw error instanceof EverTaskError ? error : toStorageError('open', error);
  }
}
