/**
 * The three databases the Kysely storage is tested on, each as a Kysely instance the test owns
 * (the storage borrows it, as it borrows an application's): PostgreSQL and MySQL/MariaDB through
 * the other adapters' test helpers (their servers, their probes), SQLite on a temporary file.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { createPool } from 'mysql2';
import pg from 'pg';
import type { describe } from 'vitest';
import { afterAll, beforeAll } from 'vitest';
import type { StoredTask } from 'evertask';
import { makeStoredTask } from 'evertask/testing';
import { PG_URL, describeWithPostgres } from '../../postgres/test/pg-test-helpers.js';
import { describeWithMySql, useDatabase } from '../../mysql/test/mysql-test-helpers.js';
import { KyselyStorage, type DialectName, type KyselyStorageOptions } from '../src/index.js';
import type { AnyKysely } from '../src/database.js';

/** One database under test: its Kysely instance and how to drop what a storage created. */
export interface TestDatabase {
  readonly dialect: DialectName;
  /** The instance (created lazily, destroyed after the file's tests). */
  db(): AnyKysely;
  /** The tables whose name starts with `prefix` (read from the catalog of the test's schema or database only). */
  listTables(prefix: string): Promise<string[]>;
  /** Drops every table whose name starts with `prefix`. */
  dropPrefix(prefix: string): Promise<void>;
}

/** Drops the tables under `prefix` that `list` names, through `db`. */
async function dropListed(db: AnyKysely, names: readonly string[]): Promise<void> {
  for (const name of names) await db.schema.dropTable(name).ifExists().execute();
}

/** A schema name unique to the calling test file and process (`kysely_test_<hash>_<pid>`). */
export function testSchema(fileUrl: string): string {
  return `kysely_test_${createHash('sha1').update(basename(fileURLToPath(fileUrl))).digest('hex').slice(0, 8)}_${process.pid}`;
}

/** A pool on the test database whose connections put unqualified tables in `schema` (the application's search_path). */
export function schemaPool(schema: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: PG_URL, max, options: `-c search_path=${schema}` });
  pool.on('error', () => undefined);
  return pool;
}

/**
 * PostgreSQL: a pool on the test database whose search_path is a schema of the file's own
 * (created before its tests, dropped after), so that nothing else on the server meets its tables.
 */
export function usePostgres(fileUrl: string): TestDatabase & { schema: string } {
  const schema = testSchema(fileUrl);
  let db: AnyKysely | undefined;
  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; CREATE SCHEMA "${schema}"`);
    await admin.end();
  });
  afterAll(async () => {
    await db?.destroy();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });
  return {
    dialect: 'postgres',
    schema,
    db: () => (db ??= new Kysely({ dialect: new PostgresDialect({ pool: schemaPool(schema, 6) }) })),
    async listTables(prefix) {
      const rows = await sql<{ name: string }>`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND starts_with(tablename, ${prefix}) ORDER BY 1`.execute(this.db());
      return rows.rows.map((row) => row.name);
    },
    async dropPrefix(prefix) {
      await dropListed(this.db(), await this.listTables(prefix));
    },
  };
}

/** MySQL/MariaDB: a database of the file's own (created and dropped by the MySQL helpers). */
export function useMySql(fileUrl: string): TestDatabase {
  const { database, uri } = useDatabase(fileUrl);
  let db: AnyKysely | undefined;
  afterAll(async () => db?.destroy());
  return {
    dialect: 'mysql',
    db: () => (db ??= new Kysely({ dialect: new MysqlDialect({ pool: createPool({ uri, connectionLimit: 6, charset: 'utf8mb4_bin' }) }) })),
    async listTables(prefix) {
      const rows = await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ${database} AND LEFT(table_name, ${prefix.length}) = ${prefix} ORDER BY 1`.execute(this.db());
      return rows.rows.map((row) => row.name);
    },
    async dropPrefix(prefix) {
      await dropListed(this.db(), await this.listTables(prefix));
    },
  };
}

/** SQLite: one temporary file per test file (WAL), removed after its tests. */
export function useSqlite(): TestDatabase & { file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'evertask-kysely-'));
  const file = join(dir, 'tasks.db');
  let db: AnyKysely | undefined;
  afterAll(async () => {
    await db?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dialect: 'sqlite',
    file,
    db: () => (db ??= sqliteKysely(file)),
    async listTables(prefix) {
      const rows = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, ${prefix.length}) = ${prefix} ORDER BY 1`.execute(this.db());
      return rows.rows.map((row) => row.name);
    },
    async dropPrefix(prefix) {
      await dropListed(this.db(), await this.listTables(prefix));
    },
  };
}

/** A Kysely instance on the SQLite file `file` (WAL, as an application would open it). */
export function sqliteKysely(file: string): AnyKysely {
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  return new Kysely({ dialect: new SqliteDialect({ database }) });
}

/** `describe` when the dialect's server answers (SQLite always does). */
export async function describeFor(dialect: DialectName): Promise<typeof describe> {
  if (dialect === 'postgres') return describeWithPostgres();
  if (dialect === 'mysql') return describeWithMySql();
  return (await import('vitest')).describe;
}

/** A storage on `database` under `prefix`; `options` wins. */
export function makeStorage(database: TestDatabase, prefix: string, options: Partial<KyselyStorageOptions> = {}): KyselyStorage {
  return new KyselyStorage({ db: database.db(), tablePrefix: prefix, ...options });
}

export { waitFor } from '../../evertask/test/support/wait-for.js';

/** A valid task with everything defaulted; `overrides` wins. */
export function makeTask(overrides: Partial<StoredTask> = {}): StoredTask {
  return makeStoredTask({ createdAt: 1_700_000_000_000, payload: '{"n":1}', ...overrides });
}
