import { expect, it } from 'vitest';
import type { EverTask } from '../ever-task.js';
import type { EverTaskEvents } from '../events.js';
import type { EverTaskOptions } from '../options.js';
import type { TaskStorage } from '../ports/task-storage.js';
import { defineTask } from '../define-task.js';
import { uuidv7 } from '../ids.js';
import { newStoredTask } from '../storage/stored-task.js';
import { ManualClock } from './manual-clock.js';

/** What the engine suite lends these tests. */
export interface RetentionEngineHarness {
  /** The fresh storage of the current test. */
  storage(): TaskStorage;
  /** A second handle on the same data, as another process would open (closed after the test). */
  reopen(): Promise<TaskStorage>;
  /** A new engine, stopped after the test. */
  engine(extra: Partial<EverTaskOptions> & Pick<EverTaskOptions, 'tasks'>, on?: TaskStorage): EverTask;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const START = Date.UTC(2026, 0, 10);

async function waitUntil(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Stores `count` completed one-off tasks finished at `at`, each with its status-audit row and two log entries. */
async function seedFinished(storage: TaskStorage, at: number, count: number): Promise<void> {
  const tasks = Array.from({ length: count }, () =>
    newStoredTask({ id: uuidv7(at), name: 'kept-task', payload: '{}', createdAt: at, status: 'completed', updatedAt: at }),
  );
  await storage.add(tasks, { audit: true });
  for (const task of tasks) {
    await storage.saveExecutionLogs(
      task.id,
      [0, 1].map((sequence) => ({ id: uuidv7(at), taskId: task.id, at, level: 'information', message: 'm', exception: null, sequence })),
    );
  }
}

/**
 * The `retention` engine option on a real storage: one engine of those sharing the storage deletes,
 * the result counts the history that went with each task, and the duty passes on at a stop.
 */
export function registerRetentionEngineTests(harness: RetentionEngineHarness): void {
  it('applies retention on the engine started first, counting the history of each task, and hands over at stop', async () => {
    const clock = new ManualClock(START);
    const task = defineTask({ name: 'kept-task', handler: () => undefined });
    // The clock jumps by hours, faster than a real storage answers a heartbeat: a lease of a day
    // keeps every registry record alive without one (and a long sweep keeps the timers few).
    const retention = { completedTasks: '1d', logs: '7d', interval: '1h' };
    const options = { tasks: [task], clock, lease: '1d', sweepInterval: '1h', retention };
    const storage = harness.storage();
    await storage.open();
    await seedFinished(storage, START - 3 * DAY, 3);

    const runsOf = (engine: EverTask) => {
      const runs: EverTaskEvents['retention:run'][] = [];
      engine.on('retention:run', (run) => runs.push(run));
      return runs;
    };
    const first = harness.engine({ ...options, instanceId: 'engine-a' });
    const firstRuns = runsOf(first);
    await first.start();
    await waitUntil('the start pass of engine-a', () => firstRuns.length === 1);
    expect(firstRuns[0]).toMatchObject({ tasks: 3, audits: 3, logs: 6, policy: { completedBefore: START - DAY, logsBefore: START - 7 * DAY } });
    expect((await storage.query({})).total).toBe(0);

    await clock.advance(1000);
    const second = harness.engine({ ...options, instanceId: 'engine-b' }, await harness.reopen());
    const secondRuns = runsOf(second);
    await second.start();
    await clock.advance(HOUR);
    await waitUntil('the second pass of engine-a', () => firstRuns.length === 2);
    expect(secondRuns).toEqual([]);

    // More finished tasks, stored while engine-a is alive, so that no pass of engine-b can see a
    // half-stored set: engine-b's pass of the last hour may still be reading the registry (a slow
    // storage), and once engine-a is gone that pass deletes.
    await seedFinished(storage, clock.now() - 2 * DAY, 2);
    // engine-a stops (its registry record goes): engine-b, now the earliest alive, deletes at its
    // next pass (that late one, or the one of the next hour)
    await first.stop();
    await clock.advance(HOUR);
    await waitUntil('the first pass of engine-b', () => secondRuns.length >= 1);
    expect(secondRuns[0]).toMatchObject({ tasks: 2, audits: 2, logs: 4 });
    expect(firstRuns).toHaveLength(2);
    expect((await storage.query({})).total).toBe(0);
  });
}
