import { beforeAll, beforeEach } from 'vitest';
import { newStoredTask, uuidv7, type StoredTask, type TaskStorage } from 'evertask';
import { ManualClock } from 'evertask/testing';
import type { MonitorFixture } from './monitor-fixture.js';
import { login, type Credentials } from './http-client.js';

/** The monitor clock's "now" in the statistics tests: 2026-12-03 12:30 UTC. */
export const NOW = Date.UTC(2026, 11, 3, 12, 30);
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** A finished task stored directly (terminal, so the running engine leaves it alone). */
function finished(name: string, status: 'completed' | 'failed', createdAt: number, executionTimeMs: number, queue = 'default'): StoredTask {
  const task = newStoredTask({ id: uuidv7(), name, payload: '{}', createdAt, queue });
  return {
    ...task,
    status,
    dueAt: null,
    updatedAt: createdAt + executionTimeMs,
    lastExecutionAt: createdAt + executionTimeMs,
    executionTimeMs,
    error: status === 'failed' ? 'Error: seeded failure\n    at somewhere' : null,
  };
}

/**
 * Eight finished tasks at known times: today 10:xx two completed (100 and 300 ms) and one failed
 * `quick`; today 11:xx one completed `email` (50 ms, queue emails); 3 days ago one completed
 * `quick` and one failed `failing`; 20 days ago one completed `quick`; 60 days ago one failed `quick`.
 */
export async function seedStatistics(storage: TaskStorage): Promise<StoredTask[]> {
  const today10 = Date.UTC(2026, 11, 3, 10, 5);
  const tasks = [
    finished('quick', 'completed', today10, 100),
    finished('quick', 'completed', today10 + 60_000, 300),
    finished('quick', 'failed', today10 + 120_000, 10),
    finished('email', 'completed', today10 + HOUR, 50, 'emails'),
    finished('quick', 'completed', NOW - 3 * DAY, 20),
    finished('failing', 'failed', NOW - 3 * DAY + 1000, 5),
    finished('quick', 'completed', NOW - 20 * DAY, 40),
    finished('quick', 'failed', NOW - 60 * DAY, 1),
  ];
  await storage.add(tasks);
  return tasks;
}

/**
 * Call inside `describeEachBackend`: a monitor server over the fixture's engine whose clock
 * stands at `NOW`, an admin logged in to it, and the statistics tasks seeded before each test.
 */
export function useSeededMonitor(fixture: () => MonitorFixture): { readonly url: string; readonly admin: Credentials } {
  let url: string | undefined;
  let admin: Credentials | undefined;
  beforeAll(async () => {
    url = (await fixture().serve({ clock: new ManualClock(NOW) })).url;
    admin = await login(url);
  });
  beforeEach(async () => {
    await seedStatistics(fixture().storage);
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useSeededMonitor is set up in beforeAll; use it inside a test.');
    return value;
  };
  return {
    get url() {
      return ready(url);
    },
    get admin() {
      return ready(admin);
    },
  };
}
