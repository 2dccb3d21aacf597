/**
 * The engine on MySQL/MariaDB through a TCP proxy that is cut mid-run: every socket destroyed and new
 * connections refused for a few seconds, then restored. Nothing may be lost or forgotten, and the
 * engine must recover by itself.
 */
import { TcpProxy } from '../../evertask/test/support/tcp-proxy.js';
import { afterAll, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import { EverTask, StorageError, defineTask, silentLogger, type EverTaskEvents } from 'evertask';
import { MySqlStorage } from '../src/index.js';
import { adminConnection, describeWithMySql, useDatabase } from './mysql-test-helpers.js';

const describeMySql = await describeWithMySql();

/** Resolves when `check` returns true (polling every 10 ms), or rejects after `timeoutMs`. */
async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describeMySql('EverTask on MySQL through a connection outage', () => {
  const { database, uri } = useDatabase(import.meta.url);
  let admin: mysql.Connection | undefined;
  let proxy: TcpProxy;
  let everTask: EverTask | undefined;

  afterAll(async () => {
    await everTask?.stop({ timeout: 0, closeStorage: true }).catch(() => undefined);
    await proxy?.cut();
    await admin?.end();
  });

  it('loses no task and no completion, pauses claims, rejects dispatch cleanly, and recovers without a restart', async () => {
    admin = await adminConnection(database);
    const db = admin;
    const target = new URL(uri);
    proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 3306) });
    await proxy.listen();
    const viaProxy = new URL(uri);
    viaProxy.port = String(proxy.port);

    const runs = new Map<string, number>();
    const work = defineTask({
      name: 'work',
      handler: async (_payload: { i: number }, ctx) => {
        runs.set(ctx.taskId, (runs.get(ctx.taskId) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 2));
      },
    });
    const storage = new MySqlStorage({ uri: viaProxy.toString() });
    everTask = new EverTask({
      storage,
      tasks: [work],
      queues: { default: { concurrency: 8 } },
      logger: silentLogger,
      sweepInterval: '1s',
      // a claim cut off mid-answer leaves tasks leased to this engine that it never received: they
      // lapse after one lease (the heartbeat renews only what the engine holds) and are claimed again
      lease: '12s',
      heartbeat: '1s',
    });
    const errors: EverTaskEvents['storage:error'][] = [];
    everTask.on('storage:error', (e) => errors.push(e));
    let completed = 0;
    everTask.on('task:completed', () => completed++);
    await everTask.start();

    const N = 4000;
    const ids = await everTask.dispatchMany(work, Array.from({ length: N }, (_, i) => ({ i })));
    await waitFor(() => completed >= 400, 20_000, '400 completions before the cut');

    await proxy.cut();
    const cutAt = Date.now();
    // a dispatch during the outage rejects with a StorageError and stores nothing
    const error = await everTask.dispatch(work, { i: -1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).transient).toBe(true);
    const completedDuringCut = completed;
    await new Promise((r) => setTimeout(r, 3000));
    // claims stopped (nothing new can start) and the failed writes are kept for a retry
    expect(errors.some((e) => e.operation === 'claimDue' && e.willRetry)).toBe(true);
    expect(errors.some((e) => e.operation === 'transition' && e.willRetry)).toBe(true);
    expect(errors.every((e) => e.willRetry)).toBe(true);
    const runsBeforeRestore = [...runs.values()].reduce((a, b) => a + b, 0);
    const completedBeforeRestore = completed;
    await proxy.restore();
    const restoredAt = Date.now();

    const count = async (sql: string): Promise<number> => Number(((await db.query<mysql.RowDataPacket[]>(sql))[0][0] as { n: unknown }).n);
    const deadline = Date.now() + 25_000;
    while ((await count(`SELECT COUNT(*) AS n FROM evertask_tasks WHERE status = 'completed'`)) < N) {
      if (Date.now() > deadline) {
        const [statuses] = await db.query(`SELECT status, COUNT(*) AS n FROM evertask_tasks GROUP BY status`);
        throw new Error(`the engine did not finish the tasks after the outage: ${JSON.stringify(statuses)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    // nothing half-written, nothing lost, nothing forgotten
    expect(await count(`SELECT COUNT(*) AS n FROM evertask_tasks`)).toBe(N);
    for (const id of ids) expect(runs.get(id) ?? 0, `task ${id} ran`).toBeGreaterThanOrEqual(1);
    // every completed task has its full history (in-progress then completed), written exactly once
    const [audits] = await db.query<mysql.RowDataPacket[]>(`SELECT status, COUNT(*) AS n FROM evertask_status_audit GROUP BY status ORDER BY status`);
    expect(Object.fromEntries(audits.map((r) => [String(r.status), Number(r.n)]))).toMatchObject({ completed: N });
    const twice = [...runs.values()].filter((n) => n > 1).length;
    console.info(
      `outage ${restoredAt - cutAt} ms; completion events during the cut ${completedBeforeRestore - completedDuringCut}; handler runs before the restore ${runsBeforeRestore}; tasks run twice ${twice}; storage errors ${errors.length} (${[...new Set(errors.map((e) => e.operation))].join(', ')})`,
    );

    // the same engine keeps working
    const after = await everTask.dispatch(work, { i: N });
    await waitFor(() => runs.has(after), 10_000, 'a task dispatched after the outage');
    await everTask.stop({ closeStorage: true });
    everTask = undefined;
  }, 45_000);
});
