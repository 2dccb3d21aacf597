/** `everTask.dispatch(task, payload, { tx })` on PostgreSQL: the task exists (and runs) only if the user's transaction commits. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type pg from 'pg';
import { EverTask, defineTask, silentLogger } from 'evertask';
import { PostgresStorage } from '../src/index.js';
import { PG_URL, describeWithPostgres, dropSchemas, testPool, testSchema, waitFor } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();
const PREFIX = testSchema(import.meta.url);

describePg('transactional dispatch through the engine on PostgreSQL', () => {
  let app: pg.Pool;
  const engines: EverTask[] = [];
  let n = 0;

  beforeAll(() => {
    app = testPool(3);
  });

  afterAll(async () => {
    for (const e of engines) await e.stop({ timeout: 0, closeStorage: true }).catch(() => undefined);
    await app?.end();
    await dropSchemas(PREFIX);
  });

  async function setup(options: { notifications: boolean }) {
    const schema = `${PREFIX}_${++n}`;
    const runs: { id: string; order: number }[] = [];
    const ship = defineTask({
      name: 'ship-order',
      handler: (payload: { order: number }, ctx) => {
        runs.push({ id: ctx.taskId, order: payload.order });
      },
    });
    const storage = new PostgresStorage({ connectionString: PG_URL, schema, notifications: options.notifications });
    const everTask = new EverTask({ storage, tasks: [ship], logger: silentLogger, sweepInterval: '300ms' });
    engines.push(everTask);
    await everTask.start();
    await app.query(`CREATE TABLE "${schema}".orders (id int PRIMARY KEY)`);
    return { schema, runs, ship, everTask };
  }

  for (const notifications of [true, false]) {
    it(`runs a task dispatched in a committed transaction and never one from a rolled-back transaction (notifications: ${notifications})`, async () => {
      const { schema, runs, ship, everTask } = await setup({ notifications });
      const inTransaction = async (order: number, commit: boolean, many = false): Promise<string[]> => {
        const client = await app.connect();
        try {
          await client.query('BEGIN');
          await client.query(`INSERT INTO "${schema}".orders (id) VALUES ($1)`, [order]);
          const ids = many
            ? await everTask.dispatchMany(ship, [{ order }, { order }], { tx: client })
            : [await everTask.dispatch(ship, { order }, { tx: client })];
          // not visible, not run, before the commit
          await new Promise((r) => setTimeout(r, 400));
          expect(runs.filter((r) => ids.includes(r.id))).toEqual([]);
          expect(await everTask.getTask(ids[0] as string)).toBeUndefined();
          await client.query(commit ? 'COMMIT' : 'ROLLBACK');
          return ids;
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        } finally {
          client.release();
        }
      };

      const committed = await inTransaction(1, true);
      const rolledBack = await inTransaction(2, false);
      const committedMany = await inTransaction(3, true, true);
      const rolledBackMany = await inTransaction(4, false, true);

      await waitFor(() => runs.length >= 3, 10_000, 'the committed tasks to run');
      await new Promise((r) => setTimeout(r, 800)); // a few sweeps: nothing else shows up
      expect(runs.map((r) => r.id).sort()).toEqual([...committed, ...committedMany].sort());
      for (const id of [...rolledBack, ...rolledBackMany]) expect(await everTask.getTask(id)).toBeUndefined();
      expect((await everTask.getTask(committed[0] as string))?.status).toBe('completed');
      const orders = await app.query<{ id: number }>(`SELECT id FROM "${schema}".orders ORDER BY id`);
      expect(orders.rows.map((r) => r.id)).toEqual([1, 3]);
      const tasks = await app.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".tasks`);
      expect(tasks.rows[0]?.n).toBe(3);
    });
  }
});
