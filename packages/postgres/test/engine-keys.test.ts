/**
 * Task keys across engines on one PostgreSQL schema (each engine with its own pool and instance id,
 * as separate processes would be): one recurring series however many engines register it, each
 * occurrence run once; concurrent keyed one-off dispatches make one task.
 */
import { afterAll, expect, it } from 'vitest';
import { EverTask, defineTask, silentLogger } from 'evertask';
import { PostgresStorage } from '../src/index.js';
import { PG_URL, describeWithPostgres, dropSchemas, testPool, testSchema, waitFor } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();
const PREFIX = testSchema(import.meta.url);

interface Run {
  engine: string;
  taskId: string;
  scheduledAt: number | undefined;
}

describePg('task keys across engines on PostgreSQL', () => {
  const engines: EverTask[] = [];
  let n = 0;

  afterAll(async () => {
    for (const e of engines) await e.stop({ timeout: 0, closeStorage: true }).catch(() => undefined);
    await dropSchemas(PREFIX);
  });

  function startEngines(count: number, handler: (engine: string, taskId: string, scheduledAt: number | undefined) => unknown) {
    const schema = `${PREFIX}_${++n}`;
    // what the callers pass to dispatch (each engine runs its own definition of the same name)
    const tick = defineTask({ name: 'tick', handler: (_p: Record<string, never>) => undefined });
    const made = Array.from({ length: count }, (_, i) => {
      const instanceId = `engine-${i}`;
      const task = defineTask({
        name: 'tick',
        handler: (_p: Record<string, never>, ctx) => handler(instanceId, ctx.taskId, ctx.occurrence?.scheduledAt),
      });
      const everTask = new EverTask({
        storage: new PostgresStorage({ connectionString: PG_URL, schema, max: 4 }),
        tasks: [task],
        instanceId,
        logger: silentLogger,
      });
      engines.push(everTask);
      return everTask;
    });
    return { schema, tick, engines: made };
  }

  it('three engines registering one keyed recurring series at once make one series, and each occurrence runs once', async () => {
    const runs: Run[] = [];
    const { schema, tick, engines: three } = startEngines(3, (engine, taskId, scheduledAt) => {
      runs.push({ engine, taskId, scheduledAt });
    });
    await Promise.all(three.map((e) => e.start()));
    const ids = await Promise.all(
      three.flatMap((e) => [1, 2].map(() => e.dispatch(tick, {}, { recurring: (s) => s.everySecond(), taskKey: 'heartbeat-series' }))),
    );
    expect(new Set(ids).size).toBe(1);
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 5200));
    const elapsedSeconds = (Date.now() - started) / 1000;
    await three[0]?.cancel(ids[0] as string);

    const admin = testPool(1);
    try {
      const rows = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".tasks WHERE task_key = 'heartbeat-series'`);
      expect(rows.rows[0]?.n).toBe(1);
      expect((await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".tasks`)).rows[0]?.n).toBe(1);
    } finally {
      await admin.end();
    }
    // one run per second (not one per engine), each occurrence once
    expect(runs.every((r) => r.taskId === ids[0])).toBe(true);
    const occurrences = runs.map((r) => r.scheduledAt);
    expect(new Set(occurrences).size).toBe(runs.length);
    expect(runs.length).toBeGreaterThanOrEqual(Math.floor(elapsedSeconds) - 1);
    expect(runs.length).toBeLessThanOrEqual(Math.ceil(elapsedSeconds) + 1);
    console.info(`${runs.length} runs in ${elapsedSeconds.toFixed(1)} s by ${[...new Set(runs.map((r) => r.engine))].join(', ')}`);
  });

  it('concurrent keyed one-off dispatches from three engines make one task that runs once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const runs: Run[] = [];
    const { schema, tick, engines: three } = startEngines(3, async (engine, taskId) => {
      runs.push({ engine, taskId, scheduledAt: undefined });
      await gate;
    });
    await Promise.all(three.map((e) => e.start()));
    // a task due now: the first insert wins, the others find it queued or running
    const now = await Promise.all(three.flatMap((e) => Array.from({ length: 5 }, () => e.dispatch(tick, {}, { taskKey: 'send-invoice-7' }))));
    expect(new Set(now).size).toBe(1);
    // a delayed task: the others update the one waiting task in place
    const later = await Promise.all(
      three.flatMap((e) => Array.from({ length: 5 }, () => e.dispatch(tick, {}, { taskKey: 'reminder-7', delay: '1h' }))),
    );
    expect(new Set(later).size).toBe(1);
    await waitFor(() => runs.length >= 1, 5000, 'the keyed task to start');
    release();
    await new Promise((r) => setTimeout(r, 300));
    expect(runs).toHaveLength(1);
    expect(runs[0]?.taskId).toBe(now[0]);
    const admin = testPool(1);
    try {
      const rows = await admin.query<{ task_key: string; n: number }>(
        `SELECT task_key, count(*)::int AS n FROM "${schema}".tasks GROUP BY task_key ORDER BY task_key`,
      );
      expect(rows.rows).toEqual([
        { task_key: 'reminder-7', n: 1 },
        { task_key: 'send-invoice-7', n: 1 },
      ]);
    } finally {
      await admin.end();
    }
  });
});
