/**
 * `everTask.dispatch(task, payload, { tx })` with the application's Kysely `Transaction`, on the
 * three dialects: the task exists (and runs) only if the application's transaction commits.
 */
import { afterAll, expect, it, type describe } from 'vitest';
import { sql } from 'kysely';
import { EverTask, InvalidArgumentError, defineTask, silentLogger } from 'evertask';
import { describeFor, makeStorage, makeTask, useMySql, usePostgres, useSqlite, waitFor, type TestDatabase } from './kysely-test-helpers.js';
import type { DialectName } from '../src/index.js';

const DIALECTS: readonly DialectName[] = ['postgres', 'mysql', 'sqlite'];
const describes = await Promise.all(DIALECTS.map((dialect) => describeFor(dialect)));

DIALECTS.forEach((dialect, index) => {
  (describes[index] as typeof describe)(`transactional dispatch on ${dialect}`, () => {
    const database: TestDatabase = dialect === 'postgres' ? usePostgres(import.meta.url) : dialect === 'mysql' ? useMySql(import.meta.url) : useSqlite();
    const prefix = `kytx${dialect.slice(0, 2)}_`;
    const engines: EverTask[] = [];
    afterAll(async () => {
      for (const engine of engines) await engine.stop({ timeout: 0 }).catch(() => undefined);
      await database.dropPrefix(prefix);
    });

    it('runs a task dispatched in a committed transaction and never one from a rolled-back transaction', async () => {
      const db = database.db();
      const orders = `${prefix}orders`;
      await db.schema.createTable(orders).ifNotExists().addColumn('id', 'integer', (c) => c.primaryKey()).execute();
      const runs: { id: string; order: number }[] = [];
      const ship = defineTask({
        name: 'ship-order',
        handler: (payload: { order: number }, ctx) => {
          runs.push({ id: ctx.taskId, order: payload.order });
        },
      });
      const everTask = new EverTask({ storage: makeStorage(database, prefix), tasks: [ship], logger: silentLogger, sweepInterval: '300ms' });
      engines.push(everTask);
      await everTask.start();

      const inTransaction = async (order: number, commit: boolean, many = false): Promise<string[]> => {
        let ids: string[] = [];
        const rollback = new Error('roll back');
        try {
          await db.transaction().execute(async (trx) => {
            await trx.insertInto(orders).values({ id: order }).execute();
            ids = many ? await everTask.dispatchMany(ship, [{ order }, { order }], { tx: trx }) : [await everTask.dispatch(ship, { order }, { tx: trx })];
            // another connection does not see it before the commit (SQLite has one connection, held by the transaction)
            if (dialect !== 'sqlite') expect(await everTask.getTask(ids[0] as string)).toBeUndefined();
            if (!commit) throw rollback;
          });
        } catch (error) {
          if (error !== rollback) throw error;
        }
        return ids;
      };

      const committed = await inTransaction(1, true);
      const rolledBack = await inTransaction(2, false);
      const committedMany = await inTransaction(3, true, true);
      const rolledBackMany = await inTransaction(4, false, true);

      await waitFor(() => runs.length >= 3, 20_000, 'the committed tasks to run');
      await waitFor(async () => (await everTask.getTask(committedMany[1] as string))?.status === 'completed', 20_000, 'the last committed task to complete');
      expect(runs.map((r) => r.id).sort()).toEqual([...committed, ...committedMany].sort());
      for (const id of [...rolledBack, ...rolledBackMany]) expect(await everTask.getTask(id)).toBeUndefined();
      const stored = await db.selectFrom(orders).select('id').orderBy('id').execute();
      expect(stored.map((r) => Number(r.id))).toEqual([1, 3]);
      const tasks = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(`${prefix}tasks`)}`.execute(db);
      expect(Number(tasks.rows[0]?.n)).toBe(3);
    });

    it('refuses a tx that is not a Kysely Transaction, naming what it takes', async () => {
      const storage = makeStorage(database, prefix);
      await storage.open();
      const task = makeTask();
      for (const tx of [database.db(), {}, 'trx']) {
        const refused = await storage.add([task], { tx }).catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(InvalidArgumentError);
        expect((refused as Error).message).toMatch(/options\.tx must be a Kysely Transaction/);
      }
      expect(await storage.get(task.id)).toBeUndefined();
    });
  });
});
