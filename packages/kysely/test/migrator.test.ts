/**
 * Migrations through Kysely's Migrator on the three dialects: the storage's own migration table,
 * beside the application's; concurrent opens migrate once; `migrate: false` with the app's own
 * Migrator running `kyselyMigrations()`.
 */
import { afterAll, expect, it, type describe } from 'vitest';
import { sql } from 'kysely';
import { Migrator, type Migration } from 'kysely/migration';
import { StorageError } from 'evertask';
import { kyselyMigrations, type DialectName } from '../src/index.js';
import type { AnyKysely } from '../src/database.js';
import { describeFor, makeStorage, makeTask, useMySql, usePostgres, useSqlite, type TestDatabase } from './kysely-test-helpers.js';

const DIALECTS: readonly DialectName[] = ['postgres', 'mysql', 'sqlite'];
const describes = await Promise.all(DIALECTS.map((dialect) => describeFor(dialect)));

/** The names recorded in a migration table. */
async function recorded(db: AnyKysely, table: string): Promise<string[]> {
  const rows = await db.selectFrom(table).select('name').orderBy('name').execute();
  return rows.map((row) => String(row.name));
}

DIALECTS.forEach((dialect, index) => {
  (describes[index] as typeof describe)(`migrations on ${dialect}`, () => {
    const database: TestDatabase = dialect === 'postgres' ? usePostgres(import.meta.url) : dialect === 'mysql' ? useMySql(import.meta.url) : useSqlite();
    const base = `kymg${dialect.slice(0, 2)}`;
    const prefixes: string[] = [];
    const prefix = (n: number): string => {
      const p = `${base}${n}_`;
      prefixes.push(p);
      return p;
    };
    afterAll(async () => {
      for (const p of prefixes) await database.dropPrefix(p);
    });

    it("records its migrations in its own table, beside the application's Migrator and its table", async () => {
      const db = database.db();
      const p = prefix(1);
      // the application's own migrations, in its own table
      const appMigrations: Record<string, Migration> = {
        '2024-01-01-users': { up: async (k) => k.schema.createTable(`${p}app_users`).addColumn('id', 'integer', (c) => c.primaryKey()).execute() },
      };
      const app = new Migrator({ db, provider: { getMigrations: async () => appMigrations }, migrationTableName: `${p}app_migration`, migrationLockTableName: `${p}app_migration_lock` });
      expect((await app.migrateToLatest()).error).toBeUndefined();

      const storage = makeStorage(database, p);
      await storage.open();
      expect(storage.migrationTableName).toBe(`${p}kysely_migration`);
      expect(await recorded(db, `${p}kysely_migration`)).toEqual(['0001-initial', '0002-rate-limits', '0003-trace-context']);
      expect(await recorded(db, `${p}app_migration`)).toEqual(['2024-01-01-users']);
      // both migrators keep working: a second run of each applies nothing
      expect((await app.migrateToLatest()).results).toEqual([]);
      await storage.close();
      const again = makeStorage(database, p);
      await again.open();
      expect(await recorded(db, `${p}kysely_migration`)).toEqual(['0001-initial', '0002-rate-limits', '0003-trace-context']);
      await again.add([makeTask()]);
      expect((await again.count()).map((c) => c.count)).toEqual([1]);
    });

    it.runIf(dialect === 'postgres')('on PostgreSQL, migrates in its own schema although another schema holds a migration table of the same name', async () => {
      const p = prefix(5);
      const other = `${base}_other_${process.pid}`;
      const db = database.db();
      await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(other)}`.execute(db);
      try {
        // what a second EverTask schema in the same database holds
        await db.withSchema(other).schema.createTable(`${p}kysely_migration`).addColumn('name', 'varchar(255)', (c) => c.primaryKey()).addColumn('timestamp', 'varchar(255)').execute();
        await db.withSchema(other).insertInto(`${p}kysely_migration`).values({ name: '0001-initial', timestamp: new Date().toISOString() }).execute();
        const storage = makeStorage(database, p);
        await storage.open();
        expect(await recorded(db, `${p}kysely_migration`)).toEqual(['0001-initial', '0002-rate-limits', '0003-trace-context']);
        await storage.add([makeTask()]);
        expect((await storage.count()).map((c) => c.count)).toEqual([1]);
      } finally {
        await sql`DROP SCHEMA IF EXISTS ${sql.id(other)} CASCADE`.execute(db);
      }
    });

    it('takes the migration table name of the option', async () => {
      const p = prefix(2);
      const storage = makeStorage(database, p, { migrationTableName: `${p}evertask_schema` });
      await storage.open();
      expect(await recorded(database.db(), `${p}evertask_schema`)).toEqual(['0001-initial', '0002-rate-limits', '0003-trace-context']);
      expect(await database.listTables(p)).not.toContain(`${p}kysely_migration`);
    });

    it('migrates once when several storages open together', async () => {
      const p = prefix(3);
      const storages = [1, 2, 3].map(() => makeStorage(database, p));
      await Promise.all(storages.map((s) => s.open()));
      expect(await recorded(database.db(), `${p}kysely_migration`)).toEqual(['0001-initial', '0002-rate-limits', '0003-trace-context']);
      await storages[0]?.add([makeTask()]);
      expect((await storages[2]?.count())?.[0]?.count).toBe(1);
    });

    it('with migrate: false, refuses unmigrated tables naming the migration, and opens once the app ran kyselyMigrations()', async () => {
      const p = prefix(4);
      const db = database.db();
      const unmigrated = makeStorage(database, p, { migrate: false });
      const error = await unmigrated.open().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as Error).message).toMatch(new RegExp(`prefix "${p}" lack migration\\(s\\) 0001-initial, 0002-rate-limits, 0003-trace-context .*migrate: true, or apply kyselyMigrations\\(\\)`));
      const app = new Migrator({
        db,
        provider: { getMigrations: async () => kyselyMigrations({ dialect, tablePrefix: p }) },
        migrationTableName: `${p}kysely_migration`,
        migrationLockTableName: `${p}kysely_migration_lock`,
      });
      expect((await app.migrateToLatest()).error).toBeUndefined();
      const storage = makeStorage(database, p, { migrate: false });
      await storage.open();
      await storage.add([makeTask()]);
      expect(Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(`${p}tasks`)}`.execute(db)).rows[0]?.n)).toBe(1);
    });
  });
});
