import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { describe } from 'vitest';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { uuidv7, type ExecutionLogEntry, type StoredTask } from 'evertask';
import { makeStoredTask } from 'evertask/testing';
import { describeWithService } from '../../evertask/test/support/describe-with-service.js';
import { PostgresStorage, type PostgresStorageOptions } from '../src/index.js';

/** Connection string of the test database. */
export const PG_URL = process.env.EVERTASK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Why PostgreSQL cannot be used, or undefined when it answers. */
export async function probePostgres(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${PG_URL.replace(/:[^:@/]*@/, ':***@')} is unreachable: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * `describe` when PostgreSQL answers. Otherwise outside CI a loud warning and `describe.skip`;
 * under `CI=true` a failure (a CI run must not pass by skipping the database tests).
 */
export async function describeWithPostgres(): Promise<typeof describe> {
  return describeWithService(await probePostgres(), 'PostgreSQL', '@evertask/postgres', 'EVERTASK_TEST_PG_URL');
}

let counter = 0;

/** A schema name unique to this test file and process (`evertask_test_<hash>_<pid>[_n]`). */
export function testSchema(fileUrl: string, fresh = false): string {
  const file = basename(fileURLToPath(fileUrl));
  const hash = createHash('sha1').update(file).digest('hex').slice(0, 8);
  const base = `evertask_test_${hash}_${process.pid}`;
  return fresh ? `${base}_${++counter}` : base;
}

/** Drops every schema whose name starts with `prefix`. */
export async function dropSchemas(prefix: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const res = await client.query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)`,
      [prefix],
    );
    for (const { nspname } of res.rows) await client.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** A new pool on the test database (the caller ends it). */
export function testPool(max = 5): pg.Pool {
  const pool = new pg.Pool({ connectionString: PG_URL, max });
  pool.on('error', () => undefined);
  return pool;
}

/** A valid task with everything defaulted; `overrides` wins. */
export function makeTask(overrides: Partial<StoredTask> = {}): StoredTask {
  return makeStoredTask({ createdAt: 1_700_000_000_000, payload: '{"n":1}', ...overrides });
}

export { waitFor } from '../../evertask/test/support/wait-for.js';

/** A valid execution log line of a task. */
export function makeLog(taskId: string, sequence: number, at = 1_700_000_000_100): ExecutionLogEntry {
  return { id: uuidv7(), taskId, at, level: 'information', message: `line ${sequence}`, exception: null, sequence };
}

/** What `useStorage` hands a test file. */
export interface StorageFixture {
  /** The storage under test, open, on the file's own schema. */
  readonly storage: PostgresStorage;
  /** A separate pool for looking at (or tampering with) the tables directly. */
  readonly admin: pg.Pool;
  /** The file's schema. */
  readonly schema: string;
}

/**
 * Call inside a `describe`: opens one storage on a schema of the test file, empties its tasks
 * (and with them their history) before each test, and drops the schema afterwards.
 */
export function useStorage(fileUrl: string): StorageFixture {
  const schema = testSchema(fileUrl);
  let storage: PostgresStorage | undefined;
  let admin: pg.Pool | undefined;
  beforeAll(async () => {
    admin = testPool(2);
    storage = new PostgresStorage({ connectionString: PG_URL, schema });
    await storage.open();
  });
  beforeEach(async () => {
    await admin?.query(`TRUNCATE "${schema}".tasks CASCADE`);
  });
  afterAll(async () => {
    await storage?.close();
    await admin?.end();
    await dropSchemas(schema);
  });
  const opened = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useStorage: the fixture is set up in beforeAll; use it inside a test.');
    return value;
  };
  return {
    get storage() {
      return opened(storage);
    },
    get admin() {
      return opened(admin);
    },
    schema,
  };
}

/** What `useStorages` hands a test file. */
export interface StoragesFixture {
  /** A separate pool for looking at (or tampering with) the tables directly. */
  readonly admin: pg.Pool;
  /** A new schema name of this file (dropped afterwards). */
  fresh(): string;
  /** A storage on the test database (closed afterwards); `options` wins over the connection string. */
  make(options: Partial<PostgresStorageOptions> & { schema: string }): PostgresStorage;
  /** Runs `fn` after the file's tests (pools the test opened, say). */
  onCleanup(fn: () => Promise<void>): void;
}

/**
 * Call inside a `describe`: for tests with several storages (several instances on one schema,
 * or one schema each), every one closed and every schema dropped after the file's tests.
 */
export function useStorages(fileUrl: string): StoragesFixture {
  const prefix = `${testSchema(fileUrl)}_i`;
  const cleanup: (() => Promise<void>)[] = [];
  let admin: pg.Pool | undefined;
  let count = 0;
  beforeAll(() => {
    admin = testPool(3);
  });
  afterAll(async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
    await admin?.end();
    await dropSchemas(prefix);
  });
  return {
    get admin() {
      if (admin === undefined) throw new Error('useStorages: the fixture is set up in beforeAll; use it inside a test.');
      return admin;
    },
    fresh: () => `${prefix}${++count}`,
    make: (options) => {
      const storage = new PostgresStorage({ connectionString: PG_URL, ...options } as PostgresStorageOptions);
      cleanup.push(() => storage.close());
      return storage;
    },
    onCleanup: (fn) => {
      cleanup.push(fn);
    },
  };
}

/**
 * Call inside a `describe`: the test file's schema, an admin pool on it for direct SQL, and
 * `fresh()`, which drops the schema and opens a new storage on it (migrating it again). The schema
 * is dropped after the file.
 */
export function useFreshSchema(fileUrl: string): { schema: string; admin: () => pg.Pool; fresh: () => Promise<PostgresStorage> } {
  const schema = testSchema(fileUrl);
  let admin: pg.Pool | undefined;
  beforeAll(() => {
    admin = testPool(2);
  });
  afterAll(async () => {
    await admin?.end();
    await dropSchemas(schema);
  });
  const pool = () => {
    if (admin === undefined) throw new Error('useFreshSchema: use the admin pool inside a test.');
    return admin;
  };
  return {
    schema,
    admin: pool,
    fresh: async () => {
      await pool().query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      const storage = new PostgresStorage({ connectionString: PG_URL, schema });
      await storage.open();
      return storage;
    },
  };
}
