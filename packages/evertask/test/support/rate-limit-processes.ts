/**
 * Rate limits shared across real processes, the same test for every storage with the `rateLimits`
 * role: three worker processes (`engine-worker.ts`) on one storage run task "limited" (5 starts
 * per second per key, burst 5) for two keys; the starts of each key, counted per window from the
 * ledger's recorded start times, stay within one budget for the whole cluster.
 */
import { expect, it } from 'vitest';
import type { StoredTask, TaskStorage } from 'evertask';
import { makeStoredTask } from 'evertask/testing';
import { startWorker, useWorkerFleet } from './engine-processes.js';
import type { EngineWorkerConfig } from './engine-worker.js';
import { readExecutions } from './execution-ledger.js';

const PERMITS = 5;
const BURST = 5;
/** 10 s of budget for the hot key (burst + 45 × 200 ms), 4 s for the other one. */
const HOT = 50;
const COLD = 20;
/**
 * Starts a window may hold beyond the budget: a task starts at or after its slot, never before, but
 * on a loaded machine one may start late and land in the next window with those on time (up to a
 * second's worth allowed). Without a shared budget the three processes start three budgets and three
 * bursts (30 in the first second, all 50 hot tasks within about 3 s), far beyond these bounds.
 */
const LATE_SLACK = PERMITS;

export interface RateLimitProcessesOptions<S> {
  workerScript: string;
  storage: S;
  seedStorage: () => TaskStorage;
  sweepInterval?: string;
}

/** The most starts within any window of `windowMs` (each window opening at a start). */
function busiestWindow(starts: readonly number[], windowMs: number): number {
  let most = 0;
  let j = 0;
  for (let i = 0; i < starts.length; i++) {
    const opens = starts[i] as number;
    while (j < starts.length && (starts[j] as number) < opens + windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

async function countCompleted(storage: TaskStorage, name: string): Promise<number> {
  return (await storage.count({ statuses: ['completed'], name })).reduce((sum, cell) => sum + cell.count, 0);
}

export function testRateLimitProcesses<S>(options: RateLimitProcessesOptions<S>): void {
  const { workers, ledgerDir, openSeed } = useWorkerFleet('evertask-rate-limits-');

  it(`three processes share one budget per key: ${PERMITS}/s (burst ${BURST}) for ${HOT} tasks of one key, while another key flows at its own rate`, async () => {
    const storage = await openSeed(options.seedStorage());
    const config = (instanceId: string): EngineWorkerConfig<S> => ({
      instanceId,
      concurrency: 8,
      lease: '5s',
      heartbeat: '1s',
      ...(options.sweepInterval === undefined ? {} : { sweepInterval: options.sweepInterval }),
      sleepMs: 5,
      ledgerDir,
      storage: options.storage,
    });
    workers.push(...(await Promise.all(['r0', 'r1', 'r2'].map((id) => startWorker(options.workerScript, config(id))))));

    // interleaved (due 1 ms apart, claimed earliest first), so every process claims tasks of both keys
    const now = Date.now();
    const keys = Array.from({ length: HOT + COLD }, (_, i) => (i < 2 * COLD ? (i % 2 === 0 ? 'hot' : 'cold') : 'hot'));
    const seeded = keys.map((key, i) =>
      makeStoredTask({ name: 'limited', payload: JSON.stringify({ key, i }), createdAt: now + i, dueAt: now + i, auditLevel: 'none' }),
    );
    const hot = seeded.filter((_, i) => keys[i] === 'hot');
    const cold = seeded.filter((_, i) => keys[i] === 'cold');
    await storage.add(seeded);

    const deadline = Date.now() + 60_000;
    while ((await countCompleted(storage, 'limited')) < HOT + COLD) {
      if (Date.now() > deadline) throw new Error(`only ${await countCompleted(storage, 'limited')} of ${HOT + COLD} completed; stderr: ${workers.map((w) => w.stderr()).join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    const rows = readExecutions(ledgerDir);
    const startsOf = (tasks: readonly StoredTask[]): number[] => {
      const ids = new Set(tasks.map((t) => t.id));
      return rows.filter((r) => ids.has(r.taskId)).map((r) => r.start).sort((a, b) => a - b);
    };
    const hotStarts = startsOf(hot);
    const coldStarts = startsOf(cold);
    // each task ran once (a parked task is not run twice)
    expect([hotStarts.length, coldStarts.length]).toEqual([HOT, COLD]);
    // every process took part
    expect(new Set(rows.map((r) => r.pid)).size).toBe(3);
    const windows = {
      hot1s: busiestWindow(hotStarts, 1000),
      hot5s: busiestWindow(hotStarts, 5000),
      cold1s: busiestWindow(coldStarts, 1000),
    };
    console.info(`busiest windows: ${JSON.stringify(windows)}; hot starts over ${hotStarts.at(-1)! - hotStarts[0]!} ms, cold over ${coldStarts.at(-1)! - coldStarts[0]!} ms`);
    // per key, cluster-wide: one second holds at most one budget plus the burst, five seconds five budgets plus the burst
    expect(windows.hot1s).toBeLessThanOrEqual(PERMITS + BURST + LATE_SLACK);
    expect(windows.hot5s).toBeLessThanOrEqual(5 * PERMITS + BURST + LATE_SLACK);
    expect(windows.cold1s).toBeLessThanOrEqual(PERMITS + BURST + LATE_SLACK);
    // the other key was not held behind the hot key's backlog: it finished first
    expect(coldStarts.at(-1)!).toBeLessThan(hotStarts.at(-1)!);
    const status = await storage.rateLimits?.introspect();
    expect(status?.reserved).toBe(0);
    expect(status?.keys.map((k) => k.key).sort()).toEqual(['cold', 'hot']);

    for (const w of workers) w.child.kill('SIGTERM');
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0, 0]);
  }, 120_000);
}
