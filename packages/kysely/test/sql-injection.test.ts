/** SQL injection through every string the storage puts in SQL (the shared test of `evertask/test/support/sql-injection.ts`), on PostgreSQL and SQLite through Kysely. */
import type { describe } from 'vitest';
import { describeSqlInjection } from '../../evertask/test/support/sql-injection.js';
import type { DialectName } from '../src/index.js';
import { describeFor, makeStorage, usePostgres, useSqlite, type TestDatabase } from './kysely-test-helpers.js';

const DIALECTS: readonly DialectName[] = ['postgres', 'sqlite'];
const describes = await Promise.all(DIALECTS.map((dialect) => describeFor(dialect)));

DIALECTS.forEach((dialect, index) => {
  (describes[index] as typeof describe)(`KyselyStorage on ${dialect}: SQL injection`, () => {
    const database: TestDatabase = dialect === 'postgres' ? usePostgres(import.meta.url) : useSqlite();
    const prefix = `kyinj${dialect.slice(0, 2)}_`;
    describeSqlInjection(`KyselyStorage (${dialect})`, () => ({
      open: async () => {
        await database.dropPrefix(prefix);
        const storage = makeStorage(database, prefix);
        await storage.open();
        return storage;
      },
      close: (storage) => storage.close(),
      withIdentifier: (tablePrefix) => makeStorage(database, tablePrefix),
      tables: () => database.listTables(prefix),
    }));
  });
});
