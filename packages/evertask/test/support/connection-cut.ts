/**
 * The engine through a TCP proxy that is cut mid-run, the same test for every network storage:
 * every socket destroyed and new connections refused for a few seconds, then restored. Nothing may
 * be lost or forgotten, and the engine must recover by itself. An adapter's test calls
 * `testConnectionCut` inside its describe with how to build its storage.
 */
import { afterAll, expect, it } from 'vitest';
import { EverTask, StorageError, defineTask, silentLogger, type EverTaskEvents, type TaskStorage } from 'evertask';
import { TcpProxy } from './tcp-proxy.js';
import { waitFor } from './wait-for.js';

export interface ConnectionCutOptions {
  /** The database server's URL (its host and port are proxied). */
  serverUrl: string;
  /** The port of the server when its URL names none. */
  defaultPort: number;
  /** The storage the engine runs on, connecting through `url` (the server's URL on the proxy's port). */
  storageThrough: (url: string) => TaskStorage;
  /** A storage on the same tables, connected directly, for the test's reads (not opened yet). */
  readStorage: () => TaskStorage;
}

async function countTasks(storage: TaskStorage, statuses?: ['completed']): Promise<number> {
  return (await storage.count(statuses === undefined ? {} : { statuses })).reduce((sum, cell) => sum + cell.count, 0);
}

/** Registers the test (and its cleanup) in the caller's describe. */
export function testConnectionCut(options: ConnectionCutOptions): void {
  let proxy: TcpProxy | undefined;
  let everTask: EverTask | undefined;
  let reader: TaskStorage | undefined;

  afterAll(async () => {
    await everTask?.stop({ timeout: 0, closeStorage: true }).catch(() => undefined);
    await proxy?.cut();
    await reader?.close();
  });

  it('loses no task and no completion, pauses claims, rejects dispatch cleanly, and recovers without a restart', async () => {
    const target = new URL(options.serverUrl);
    proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || options.defaultPort) });
    await proxy.listen();
    const viaProxy = new URL(options.serverUrl);
    viaProxy.port = String(proxy.port);

    const runs = new Map<string, number>();
    const work = defineTask({
      name: 'work',
      handler: async (_payload: { i: number }, ctx) => {
        runs.set(ctx.taskId, (runs.get(ctx.taskId) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 2));
      },
    });
    everTask = new EverTask({
      storage: options.storageThrough(viaProxy.toString()),
      tasks: [work],
      queues: { default: { concurrency: 8 } },
      logger: silentLogger,
      sweepInterval: '1s',
      // a claim cut off mid-answer leaves tasks leased to this engine that it never received: they
      // lapse after one lease (the heartbeat renews only what the engine holds) and are claimed again
      lease: '12s',
      heartbeat: '1s',
    });
    const engine = everTask;
    const errors: EverTaskEvents['storage:error'][] = [];
    engine.on('storage:error', (e) => errors.push(e));
    let completed = 0;
    engine.on('task:completed', () => completed++);
    await engine.start();
    reader = options.readStorage();
    const storage = reader;
    await storage.open();

    const N = 4000;
    const ids = await engine.dispatchMany(work, Array.from({ length: N }, (_, i) => ({ i })));
    await waitFor(() => completed >= 400, 20_000, '400 completions before the cut');

    await proxy.cut();
    const cutAt = Date.now();
    // a dispatch during the outage rejects with a StorageError and stores nothing
    const error = await engine.dispatch(work, { i: -1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).transient).toBe(true);
    const completedDuringCut = completed;
    // the outage is the stimulus, not a wait: 3 s, past the timed claim retry (1 s) and several
    // write retries, so that the engine comes back from refused connections, not only cut ones
    await new Promise((r) => setTimeout(r, 3000));
    // claims stopped (nothing new can start) and the failed writes are kept for a retry
    const failures = (operation: string) => errors.filter((e) => e.operation === operation && e.willRetry).length;
    // A cut may come while the engine waits for a claim, every run's completion already written:
    // then there is no status write to retry. Any run not yet written must show its retries.
    const runCount = () => [...runs.values()].reduce((a, b) => a + b, 0);
    const retriedBoth = () => failures('claimDue') >= 2 && (failures('transition') >= 2 || runCount() === completed);
    await waitFor(retriedBoth, 20_000, 'failed claims and status writes retried during the cut').catch((timeout: unknown) => {
      // say what was seen instead: which operations failed, whether retried, with what
      const seen = [...new Set(errors.map((e) => `${e.operation} (willRetry ${e.willRetry}): ${e.error.message}`))].slice(0, 10);
      throw new Error(`${(timeout as Error).message}; completed ${completed} of ${N} after ${runCount()} runs; errors seen: ${JSON.stringify(seen)}`);
    });
    expect(errors.every((e) => e.willRetry)).toBe(true);
    const runsBeforeRestore = [...runs.values()].reduce((a, b) => a + b, 0);
    const completedBeforeRestore = completed;
    await proxy.restore();
    const restoredAt = Date.now();

    const deadline = Date.now() + 25_000;
    while ((await countTasks(storage, ['completed'])) < N) {
      if (Date.now() > deadline) {
        throw new Error(`the engine did not finish the tasks after the outage: ${JSON.stringify(await storage.count({}))}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    // nothing half-written, nothing lost, nothing forgotten
    expect(await countTasks(storage)).toBe(N);
    for (const id of ids) expect(runs.get(id) ?? 0, `task ${id} ran`).toBeGreaterThanOrEqual(1);
    // every completed task has its full history (in-progress then completed), written exactly once
    for (let start = 0; start < ids.length; start += 50) {
      const audits = await Promise.all(ids.slice(start, start + 50).map((id) => storage.getStatusAudit(id)));
      audits.forEach((audit, i) => {
        expect(audit.filter((entry) => entry.status === 'completed').length, `completed rows of ${ids[start + i]}`).toBe(1);
      });
    }
    const twice = [...runs.values()].filter((n) => n > 1).length;
    console.info(
      `outage ${restoredAt - cutAt} ms; completion events during the cut ${completedBeforeRestore - completedDuringCut}; handler runs before the restore ${runsBeforeRestore}; tasks run twice ${twice}; storage errors ${errors.length} (${[...new Set(errors.map((e) => e.operation))].join(', ')})`,
    );

    // the same engine keeps working
    const after = await engine.dispatch(work, { i: N });
    await waitFor(() => runs.has(after), 10_000, 'a task dispatched after the outage');
    await engine.stop({ closeStorage: true });
    everTask = undefined;
  }, 45_000);
}
