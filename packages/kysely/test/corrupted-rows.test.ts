/** Rows corrupted by hand (the shared test of `evertask/test/support/corrupted-rows.ts`) on PostgreSQL and SQLite through Kysely. */
import { beforeEach, type describe } from 'vitest';
import { sql } from 'kysely';
import { describeCorruptedRows, type RowCorruption } from '../../evertask/test/support/corrupted-rows.js';
import type { DialectName } from '../src/index.js';
import { describeFor, makeStorage, usePostgres, useSqlite, type TestDatabase } from './kysely-test-helpers.js';

const DIALECTS: readonly DialectName[] = ['postgres', 'sqlite'];
const describes = await Promise.all(DIALECTS.map((dialect) => describeFor(dialect)));

DIALECTS.forEach((dialect, index) => {
  (describes[index] as typeof describe)(`KyselyStorage on ${dialect}: corrupted rows`, () => {
    const database: TestDatabase = dialect === 'postgres' ? usePostgres(import.meta.url) : useSqlite();
    const prefix = `kycr${dialect.slice(0, 2)}_`;
    const tasks = sql.table(`${prefix}tasks`);
    const UPDATES: Record<RowCorruption, (id: string) => ReturnType<typeof sql>> = {
      'invalid-json-payload': (id) => sql`UPDATE ${tasks} SET payload = '{"n": 0,' WHERE id = ${id}`,
      'unknown-task-name': (id) => sql`UPDATE ${tasks} SET name = 'renamed-by-hand' WHERE id = ${id}`,
      'impossible-status': (id) => sql`UPDATE ${tasks} SET status = 'exploded' WHERE id = ${id}`,
      // typed columns refuse text in a number column: a number outside every valid range instead
      'wrong-type': (id) => sql`UPDATE ${tasks} SET created_at = -9000000000000000 WHERE id = ${id}`,
    };
    beforeEach(() => database.dropPrefix(prefix));

    describeCorruptedRows(`KyselyStorage (${dialect})`, () => ({
      storage: () => makeStorage(database, prefix),
      corrupt: async (id, kind) => void (await UPDATES[kind](id).execute(database.db())),
      recordNewerSchema: async () => void (await database.db().insertInto(`${prefix}kysely_migration`).values({ name: '0999-newer', timestamp: new Date().toISOString() }).execute()),
      forgetNewerSchema: async () => void (await database.db().deleteFrom(`${prefix}kysely_migration`).where('name', '=', '0999-newer').execute()),
    }));
  });
});
