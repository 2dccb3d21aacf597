import { expect } from 'vitest';
import { uuidv7 } from '../../ids.js';
import type { StoredTask, TaskStatus } from '../../ports/task-record.js';
import type { ExecutionTimeStats, TaskTally } from '../../ports/task-statistics.js';
import type { TaskStorage } from '../../ports/task-storage.js';
import { emptyStatusTotals } from '../../storage-kit/statistics-rows.js';
import { T, task, log, rejectsWithCode } from './fixtures.js';
import type { Register } from './fixtures.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

function at(createdAt: number, name: string, queue: string, status: TaskStatus, executionTimeMs: number | null = null): StoredTask {
  return task({ createdAt, updatedAt: createdAt, name, queue, status, executionTimeMs, dueAt: status === 'waiting' ? createdAt : null });
}

/**
 * The fixture every statistics test stores: three hours from T, with tasks on both edges of the
 * hour buckets and of the window, completed tasks with and without an execution time, and a
 * failed task with one (which no execution-time figure may include).
 */
const FIXTURE: readonly StoredTask[] = [
  at(T, 'alpha', 'default', 'completed', 100),
  at(T + 10 * MINUTE, 'alpha', 'default', 'completed', 300),
  at(T + HOUR - 1, 'alpha', 'mail', 'failed', 50),
  at(T + HOUR, 'beta', 'mail', 'completed', 1000),
  at(T + HOUR + 1, 'beta', 'mail', 'completed', null),
  at(T + 2 * HOUR + 5, 'beta', 'default', 'waiting'),
  at(T + 2 * HOUR + 30 * MINUTE, 'alpha', 'default', 'completed', 0.5),
  at(T - 1, 'gamma', 'default', 'completed', 7),
  at(T + 3 * HOUR, 'gamma', 'mail', 'cancelled'),
];

async function stored(s: TaskStorage): Promise<void> {
  await s.add([...FIXTURE].reverse());
}

function tally(counts: Partial<Record<TaskStatus, number>>, executionTime: ExecutionTimeStats | null = null): TaskTally {
  const full = { ...emptyStatusTotals(), ...counts };
  return { counts: full, total: Object.values(full).reduce((a, b) => a + b, 0), executionTime };
}

function times(count: number, totalMs: number, minMs: number, maxMs: number): ExecutionTimeStats {
  return { count, totalMs, meanMs: totalMs / count, minMs, maxMs };
}

const EMPTY = tally({});

export function registerStatisticsTests(test: Register): void {
  test('taskTimeline counts tasks by creation bucket and current status, with true execution-time aggregates', async (s) => {
    await stored(s);
    expect(await s.taskTimeline({ from: T, to: T + 3 * HOUR, bucketMs: HOUR })).toEqual([
      { start: T, ...tally({ completed: 2, failed: 1 }, times(2, 400, 100, 300)) },
      { start: T + HOUR, ...tally({ completed: 2 }, times(1, 1000, 1000, 1000)) },
      { start: T + 2 * HOUR, ...tally({ completed: 1, waiting: 1 }, times(1, 0.5, 0.5, 0.5)) },
    ]);
    expect(await s.taskTimeline({ from: T, to: T + 3 * HOUR, bucketMs: HOUR, queue: 'mail' })).toEqual([
      { start: T, ...tally({ failed: 1 }) },
      { start: T + HOUR, ...tally({ completed: 2 }, times(1, 1000, 1000, 1000)) },
      { start: T + 2 * HOUR, ...EMPTY },
    ]);
  });

  test('taskTimeline buckets start at from (floor of the offset), the last one cut at to', async (s) => {
    await stored(s);
    // [T+30min, T+90min): one bucket holding both sides of the hour
    expect(await s.taskTimeline({ from: T + 30 * MINUTE, to: T + 90 * MINUTE, bucketMs: HOUR })).toEqual([
      { start: T + 30 * MINUTE, ...tally({ failed: 1, completed: 2 }, times(1, 1000, 1000, 1000)) },
    ]);
    // a partial last bucket: `to` is exclusive
    expect(await s.taskTimeline({ from: T, to: T + HOUR + 1, bucketMs: HOUR })).toEqual([
      { start: T, ...tally({ completed: 2, failed: 1 }, times(2, 400, 100, 300)) },
      { start: T + HOUR, ...tally({ completed: 1 }, times(1, 1000, 1000, 1000)) },
    ]);
    // one bucket per task near the edges
    const edges = await s.taskTimeline({ from: T - 1, to: T + 2, bucketMs: 1 });
    expect(edges.map((bucket) => [bucket.start, bucket.total])).toEqual([[T - 1, 1], [T, 1], [T + 1, 0]]);
  });

  test('taskTimeline of an empty range or of a range without tasks', async (s) => {
    await stored(s);
    expect(await s.taskTimeline({ from: T, to: T, bucketMs: HOUR })).toEqual([]);
    expect(await s.taskTimeline({ from: T + 10 * HOUR, to: T + 12 * HOUR, bucketMs: HOUR })).toEqual([
      { start: T + 10 * HOUR, ...EMPTY },
      { start: T + 11 * HOUR, ...EMPTY },
    ]);
    expect(await s.taskTimeline({ from: T, to: T + HOUR, bucketMs: HOUR, queue: 'nowhere' })).toEqual([{ start: T, ...EMPTY }]);
  });

  test('taskGroups by name over every stored task, by key', async (s) => {
    await stored(s);
    expect(await s.taskGroups({ groupBy: 'name' })).toEqual([
      { key: 'alpha', ...tally({ completed: 3, failed: 1 }, times(3, 400.5, 0.5, 300)) },
      { key: 'beta', ...tally({ completed: 2, waiting: 1 }, times(1, 1000, 1000, 1000)) },
      { key: 'gamma', ...tally({ completed: 1, cancelled: 1 }, times(1, 7, 7, 7)) },
    ]);
  });

  test('taskGroups by queue within a creation window, and filtered by queue', async (s) => {
    await stored(s);
    expect(await s.taskGroups({ groupBy: 'queue', from: T, to: T + 3 * HOUR })).toEqual([
      { key: 'default', ...tally({ completed: 3, waiting: 1 }, times(3, 400.5, 0.5, 300)) },
      { key: 'mail', ...tally({ completed: 2, failed: 1 }, times(1, 1000, 1000, 1000)) },
    ]);
    expect(await s.taskGroups({ groupBy: 'name', from: T, queue: 'mail' })).toEqual([
      { key: 'alpha', ...tally({ failed: 1 }) },
      { key: 'beta', ...tally({ completed: 2 }, times(1, 1000, 1000, 1000)) },
      { key: 'gamma', ...tally({ cancelled: 1 }) },
    ]);
    expect(await s.taskGroups({ groupBy: 'queue', to: T })).toEqual([{ key: 'default', ...tally({ completed: 1 }, times(1, 7, 7, 7)) }]);
    expect(await s.taskGroups({ groupBy: 'queue', from: T, to: T })).toEqual([]);
    expect(await s.taskGroups({ groupBy: 'name', queue: 'nowhere' })).toEqual([]);
  });

  test('statistics follow status changes', async (s) => {
    const t = at(T, 'alpha', 'default', 'in-progress');
    await s.add([t]);
    const [applied] = await s.transition([{ id: t.id, from: ['in-progress'], to: 'completed', at: T + 5, patch: { executionTimeMs: 42, lastExecutionAt: T + 5 } }]);
    expect(applied).toBe(true);
    expect(await s.taskGroups({ groupBy: 'queue' })).toEqual([{ key: 'default', ...tally({ completed: 1 }, times(1, 42, 42, 42)) }]);
    expect(await s.taskTimeline({ from: T, to: T + HOUR, bucketMs: HOUR })).toEqual([{ start: T, ...tally({ completed: 1 }, times(1, 42, 42, 42)) }]);
  });

  test('countExecutionLogs counts every log of a task, or those of a level and above', async (s) => {
    const t = task();
    const other = task();
    await s.add([t, other]);
    const levels = ['trace', 'debug', 'information', 'warning', 'error', 'critical'] as const;
    await s.saveExecutionLogs(t.id, Array.from({ length: 14 }, (_, i) => log(t.id, T + i, 0, { level: levels[i % levels.length] })));
    await s.saveExecutionLogs(other.id, [log(other.id, T, 0, { level: 'critical' })]);
    expect(await s.countExecutionLogs(t.id)).toBe(14);
    expect(await s.countExecutionLogs(t.id, 'trace')).toBe(14);
    expect(await s.countExecutionLogs(t.id, 'warning')).toBe(6);
    expect(await s.countExecutionLogs(t.id, 'critical')).toBe(2);
    expect(await s.countExecutionLogs(other.id, 'error')).toBe(1);
    expect(await s.countExecutionLogs(uuidv7())).toBe(0);
  });

  test('statistics reject bad arguments with InvalidArgumentError', async (s) => {
    await stored(s);
    const bad: (() => Promise<unknown>)[] = [
      () => s.taskTimeline(undefined as never),
      () => s.taskTimeline({ from: T, to: T - 1, bucketMs: HOUR }),
      () => s.taskTimeline({ from: T, to: T + HOUR, bucketMs: 0 }),
      () => s.taskTimeline({ from: T, to: T + HOUR, bucketMs: -5 }),
      () => s.taskTimeline({ from: T, to: T + HOUR, bucketMs: 1.5 }),
      () => s.taskTimeline({ from: T, to: T + 10_001, bucketMs: 1 }),
      () => s.taskTimeline({ from: 'yesterday' as never, to: T, bucketMs: HOUR }),
      () => s.taskTimeline({ from: T, to: T + 0.5, bucketMs: HOUR }),
      () => s.taskTimeline({ from: T, to: T + HOUR, bucketMs: HOUR, queue: 5 as never }),
      () => s.taskGroups(null as never),
      () => s.taskGroups({ groupBy: 'status' as never }),
      () => s.taskGroups({ groupBy: 'name', from: T, to: T - 1 }),
      () => s.taskGroups({ groupBy: 'name', from: Number.NaN }),
      () => s.taskGroups({ groupBy: 'queue', queue: [] as never }),
      () => s.countExecutionLogs('task-1'),
      () => s.countExecutionLogs(uuidv7(), 'loud' as never),
    ];
    for (const call of bad) await rejectsWithCode(call(), 'ERR_INVALID_ARGUMENT');
    // the largest timeline allowed still answers
    expect(await s.taskTimeline({ from: T, to: T + 10_000, bucketMs: 1 })).toHaveLength(10_000);
  });
}
