/**
 * Versioned schema migrations: one `.sql` file per version in `migrations/` (copied into `dist/` by
 * the build), each applied once, in order, inside one `BEGIN IMMEDIATE` transaction together with
 * the row that records it in `<prefix>migrations`. Two processes opening a new file at the same
 * moment therefore migrate it exactly once (the second waits for the lock, then sees the version).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { StorageError } from 'evertask';
import { EXECUTION_LOG_FIELDS, PAUSED_QUEUE_FIELDS, RUN_AUDIT_FIELDS, STATUS_AUDIT_FIELDS, TASK_COLUMNS } from 'evertask/storage-kit';
import type { TableNames } from './queries/tables.js';

export interface Migration {
  version: number;
  /** Recorded in `<prefix>migrations.name`. */
  name: string;
  /** The file in `migrations/`, `NNNN-<what>.sql`. */
  file: string;
  /** The statements for one table prefix (the file's `{prefix}` replaced). */
  sql: (tables: TableNames) => string;
  /** Tables the migration creates: if one already exists before it runs, the file is not ours. */
  creates: (tables: TableNames) => string[];
}

const migrationTexts = new Map<string, string>();

/** The text of a migration file as written (`{prefix}` not yet replaced), read once per process. */
function readMigration(version: number, file: string): string {
  let text = migrationTexts.get(file);
  if (text === undefined) {
    const url = new URL(`./migrations/${file}`, import.meta.url);
    try {
      text = readFileSync(url, 'utf8');
    } catch (error) {
      throw new StorageError(
        `SQLite storage: cannot read schema migration ${version} (${fileURLToPath(url)}): ${(error as Error).message}. ` +
          `The installed @evertask/sqlite is incomplete (its migrations folder is missing); reinstall it.`,
        { cause: error },
      );
    }
    migrationTexts.set(file, text);
  }
  return text;
}

function fromFile(version: number, name: string, file: string): Migration {
  const sql = (tables: TableNames): string => readMigration(version, file).replaceAll('{prefix}', tables.prefix);
  const creates = (tables: TableNames): string[] =>
    [...sql(tables).matchAll(/^CREATE TABLE (\w+)/gm)].map((match) => match[1] as string);
  return { version, name, file, sql, creates };
}

/** Every migration, in version order; each `.sql` file in `migrations/` is listed here. */
export const MIGRATIONS: readonly Migration[] = [
  fromFile(1, 'initial schema', '0001-initial.sql'),
  fromFile(2, 'instance registry', '0002-instance-registry.sql'),
  fromFile(3, 'instance task names', '0003-instance-task-names.sql'),
  fromFile(4, 'statistics indexes', '0004-statistics-indexes.sql'),
  fromFile(5, 'operator actions', '0005-operator-actions.sql'),
  fromFile(6, 'trace context', '0006-trace-context.sql'),
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((max, migration) => Math.max(max, migration.version), 0);

export function migrationsTableSql(tables: TableNames): string {
  return `CREATE TABLE IF NOT EXISTS ${tables.migrations} (
  version INTEGER NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at INTEGER NOT NULL
)`;
}

/** Columns each table must have after migration (checked on open, so a foreign table of the same name is caught). */
function expectedColumns(tables: TableNames): Record<string, readonly string[]> {
  return {
    [tables.tasks]: TASK_COLUMNS,
    [tables.statusAudit]: ['id', ...STATUS_AUDIT_FIELDS.map((spec) => spec.column)],
    [tables.runAudit]: ['id', ...RUN_AUDIT_FIELDS.map((spec) => spec.column)],
    [tables.logs]: EXECUTION_LOG_FIELDS.map((spec) => spec.column),
    [tables.instances]: ['id', 'hostname', 'pid', 'started_at', 'heartbeat_at', 'expires_at', 'queues'],
    [tables.pausedQueues]: PAUSED_QUEUE_FIELDS.map((spec) => spec.column),
    [tables.migrations]: ['version', 'name', 'applied_at'],
  };
}

/** Brings a database's schema to `LATEST_SCHEMA_VERSION` (or, with `migrate: false`, checks that it is there). */
export class Migrator {
  constructor(
    private readonly tables: TableNames,
    private readonly location: string,
  ) {}

  /** Migrates (or verifies the version), then checks that every table has its columns. */
  prepare(db: Database.Database, migrate: boolean): void {
    if (migrate) this.migrate(db);
    else this.checkVersion(db);
    this.checkShape(db);
  }

  migrate(db: Database.Database): void {
    const tables = this.tables;
    // Cheap read first: an up-to-date database (the usual case) is opened without taking the write lock.
    const seen = this.schemaVersion(db);
    this.checkNotNewer(seen);
    if (seen === LATEST_SCHEMA_VERSION) return;
    const apply = db.transaction(() => {
      db.exec(migrationsTableSql(tables));
      const current = this.schemaVersion(db);
      this.checkNotNewer(current);
      const record = db.prepare(`INSERT INTO ${tables.migrations} (version, name, applied_at) VALUES (?, ?, ?)`);
      for (const migration of MIGRATIONS) {
        if (migration.version <= current) continue;
        for (const table of migration.creates(tables)) {
          if (tableExists(db, table)) {
            throw new StorageError(
              `SQLite storage (${this.location}): cannot create table "${table}": a table of that name already exists ` +
                `but the database has no record of EverTask's migration ${migration.version}. The file holds tables ` +
                `EverTask did not create; use another file or set "tablePrefix".`,
            );
          }
        }
        db.exec(migration.sql(tables));
        record.run(migration.version, migration.name, Date.now());
      }
    });
    apply.immediate();
  }

  checkVersion(db: Database.Database): void {
    const version = this.schemaVersion(db);
    this.checkNotNewer(version);
    if (version === 0) {
      throw new StorageError(
        `SQLite storage (${this.location}): the database has no EverTask schema (table "${this.tables.migrations}" is ` +
          `missing) and "migrate" is false. Open it once with migrate: true (the default) to create the schema.`,
      );
    }
    if (version < LATEST_SCHEMA_VERSION) {
      throw new StorageError(
        `SQLite storage (${this.location}): the database schema is at version ${version} but this version of ` +
          `@evertask/sqlite needs ${LATEST_SCHEMA_VERSION}, and "migrate" is false. Open it once with migrate: true ` +
          `to apply the missing migrations.`,
      );
    }
  }

  checkShape(db: Database.Database): void {
    for (const [table, wanted] of Object.entries(expectedColumns(this.tables))) {
      const have = new Set(columnsOf(db, table));
      const missing = wanted.filter((column) => !have.has(column));
      if (missing.length > 0) {
        throw new StorageError(
          `SQLite storage (${this.location}): table "${table}" ${have.size === 0 ? 'is missing' : `lacks column(s) ${missing.join(', ')}`}; ` +
            `it was not created by this version of EverTask or was altered. Use another file or "tablePrefix", or restore the table.`,
        );
      }
    }
  }

  /** The recorded schema version; 0 when the migrations table is missing. */
  schemaVersion(db: Database.Database): number {
    const table = this.tables.migrations;
    if (!tableExists(db, table)) return 0;
    if (!columnsOf(db, table).includes('version')) {
      throw new StorageError(
        `SQLite storage (${this.location}): table "${table}" exists but was not created by EverTask ` +
          `(it has no "version" column). Use another file, or another "tablePrefix".`,
      );
    }
    const row = db.prepare(`SELECT MAX(version) AS v FROM ${table}`).get() as { v: number | bigint | null };
    return Number(row.v ?? 0);
  }

  private checkNotNewer(version: number): void {
    if (version > LATEST_SCHEMA_VERSION) {
      throw new StorageError(
        `SQLite storage (${this.location}): the database schema is version ${version}, newer than this ` +
          `@evertask/sqlite supports (${LATEST_SCHEMA_VERSION}). Upgrade @evertask/sqlite in this application.`,
      );
    }
  }
}

function tableExists(db: Database.Database, name: string): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined;
}

function columnsOf(db: Database.Database, table: string): string[] {
  return (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((row) => row.name);
}
