/** The options of `new KyselyStorage(...)`: every bad value refused with an error naming it, the factory, dialect detection. */
import { describe, expect, it } from 'vitest';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import { InvalidArgumentError, StorageError } from 'evertask';
import { KyselyStorage, kyselyMigrations, type KyselyStorageOptions } from '../src/index.js';
import { sqliteKysely } from './kysely-test-helpers.js';

/** A Kysely instance that never connects, with the adapter of `adapter`'s dialect. */
function offline(adapter: 'postgres' | 'sqlite' | 'other'): Kysely<never> {
  return new Kysely<never>({
    dialect: {
      createAdapter: () => (adapter === 'postgres' ? new PostgresAdapter() : adapter === 'sqlite' ? new SqliteAdapter() : new (class extends SqliteAdapter {})()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => (adapter === 'postgres' ? new PostgresIntrospector(db) : new SqliteIntrospector(db)),
      createQueryCompiler: () => (adapter === 'postgres' ? new PostgresQueryCompiler() : new SqliteQueryCompiler()),
    },
  });
}

function refused(options: unknown): InvalidArgumentError {
  try {
    new KyselyStorage(options as KyselyStorageOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return error as InvalidArgumentError;
  }
  throw new Error(`accepted ${JSON.stringify(options)}`);
}

describe('KyselyStorage options', () => {
  const db = offline('postgres');

  it('refuses a missing or wrong db, naming what it takes', () => {
    expect(refused(undefined).message).toMatch(/needs an options object/);
    expect(refused({}).message).toMatch(/option "db" must be a Kysely instance .* received undefined/);
    expect(refused({ db: { selectFrom() {} } }).message).toMatch(/option "db" must be a Kysely instance/);
    expect(refused({ db: 'postgres://x' }).message).toMatch(/received "postgres:\/\/x"/);
  });

  it('refuses a Transaction as db (it belongs in add(tasks, { tx }))', async () => {
    const sqlite = sqliteKysely(':memory:');
    await sqlite.transaction().execute(async (trx) => {
      expect(refused({ db: trx }).message).toMatch(/not a Transaction.*\{ tx \}/);
    });
    await sqlite.destroy();
  });

  it('refuses bad prefixes, migration table names, dialects and numbers', () => {
    expect(refused({ db, tablePrefix: 'Bad-Prefix' }).message).toMatch(/"tablePrefix" must be a string matching .* received "Bad-Prefix"/);
    expect(refused({ db, tablePrefix: 'x'.repeat(33) }).message).toMatch(/tablePrefix/);
    expect(refused({ db, migrationTableName: 'drop table;' }).message).toMatch(/"migrationTableName" must be/);
    expect(refused({ db, migrationLockTableName: '' }).message).toMatch(/"migrationLockTableName" must be/);
    expect(refused({ db, dialect: 'oracle' }).message).toMatch(/"dialect" must be one of "postgres", "mysql", "sqlite"; received "oracle"/);
    expect(refused({ db, migrate: 'yes' }).message).toMatch(/"migrate" must be true or false/);
    expect(refused({ db, addChunkSize: 0 }).message).toMatch(/"addChunkSize" must be an integer >= 1; received 0/);
    expect(refused({ db, transientRetries: 1.5 }).message).toMatch(/"transientRetries" must be an integer >= 0/);
    expect(refused({ db, retryInitialBackoffMs: -1 }).message).toMatch(/"retryInitialBackoffMs"/);
  });

  it('names its migration table after the prefix unless told', () => {
    expect(new KyselyStorage({ db }).migrationTableName).toBe('evertask_kysely_migration');
    expect(new KyselyStorage({ db, tablePrefix: 'billing_' }).migrationTableName).toBe('billing_kysely_migration');
    expect(new KyselyStorage({ db, migrationTableName: 'app_evertask_migrations' }).migrationTableName).toBe('app_evertask_migrations');
  });

  it('detects the dialect from the adapter, or takes it from the option', () => {
    expect(new KyselyStorage({ db }).dialect).toBe('postgres');
    expect(new KyselyStorage({ db: offline('sqlite') }).dialect).toBe('sqlite');
    expect(new KyselyStorage({ db: offline('postgres'), dialect: 'mysql' }).dialect).toBe('mysql');
  });

  it('fails to open on an instance whose dialect it cannot tell, naming the option that fixes it', async () => {
    const foreign = new Kysely<never>({
      dialect: {
        createAdapter: () => ({ supportsTransactionalDdl: false, supportsReturning: false }) as unknown as SqliteAdapter,
        createDriver: () => new DummyDriver(),
        createIntrospector: (k) => new SqliteIntrospector(k),
        createQueryCompiler: () => new SqliteQueryCompiler(),
      },
    });
    expect(() => new KyselyStorage({ db: foreign })).toThrow(/cannot tell the SQL dialect .* dialect: "postgres", "mysql" or "sqlite"/);
  });

  it('calls a factory once, on the first open, and refuses what is not a Kysely instance', async () => {
    const sqlite = sqliteKysely(':memory:');
    let calls = 0;
    const storage = new KyselyStorage({ db: () => (calls++, sqlite) });
    expect(calls).toBe(0);
    expect(() => storage.db).toThrow(StorageError);
    await storage.open();
    await storage.close();
    await storage.open();
    expect(calls).toBe(1);
    expect(storage.dialect).toBe('sqlite');
    // the storage never destroys the instance: it still answers after close()
    await storage.close();
    expect((await sqlite.selectFrom('evertask_tasks').select('id').execute()).length).toBe(0);
    await sqlite.destroy();

    const bad = new KyselyStorage({ db: async () => ({}) as never });
    await expect(bad.open()).rejects.toThrow(/factory must return a Kysely instance/);
    const throwing = new KyselyStorage({
      db: () => {
        throw new Error('no config');
      },
    });
    await expect(throwing.open()).rejects.toThrow(/the "db" factory threw: no config/);
  });

  it('kyselyMigrations refuses an unknown dialect or prefix', () => {
    expect(() => kyselyMigrations({ dialect: 'oracle' as never })).toThrow(/needs \{ dialect \}/);
    expect(() => kyselyMigrations({ dialect: 'sqlite', tablePrefix: 'A' })).toThrow(/tablePrefix/);
    expect(Object.keys(kyselyMigrations({ dialect: 'postgres' }))).toEqual(['0001-initial', '0002-rate-limits', '0003-trace-context']);
  });
});
