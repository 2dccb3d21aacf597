import { expect } from 'vitest';
import type { StoredTask, TaskStatus } from '../../ports/task-record.js';
import type { TaskStorage } from '../../ports/task-storage.js';
import { T, task, log, rejectsWithCode } from './fixtures.js';
import type { Register } from './fixtures.js';

// ---- replace: a finished keyed task dispatched again ---------------------------------------------

const TERMINAL: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

/** A keyed task that ran once and completed, with its status audit, one run-audit row and a log. */
async function finishedKeyedTask(s: TaskStorage, taskKey: string): Promise<StoredTask> {
  const finished = task({ taskKey });
  await s.add([finished], { audit: true });
  const ran = await s.transition([
    { id: finished.id, from: ['waiting'], to: 'completed', at: T + 10, audit: { error: null },
      priorAudits: [{ status: 'in-progress', at: T + 5, error: null }],
      runAudit: { at: T + 10, status: 'completed', executionTimeMs: 4, error: null },
      logs: [log(finished.id, T + 6, 0)] },
  ]);
  expect(ran).toEqual([true]);
  return { ...finished, status: 'completed', updatedAt: T + 10 };
}

export function registerReplacementTests(test: Register): void {
  test('replace swaps a finished keyed task for a new one and keeps its history under the new task', async (s) => {
    const previous = await finishedKeyedTask(s, 'nightly-report');
    const next = task({ taskKey: 'nightly-report', createdAt: T + 100, updatedAt: T + 100, dueAt: T + 100, payload: '{"v":2}' });
    expect(await s.replace(previous.id, TERMINAL, next, { audit: true })).toBe(true);
    expect(await s.get(previous.id)).toBeUndefined();
    expect(await s.get(next.id)).toEqual(next);
    expect(await s.getByTaskKey('nightly-report')).toEqual(next);
    expect((await s.getStatusAudit(next.id)).map((row) => [row.status, row.at - T])).toEqual([
      ['waiting', 0],
      ['in-progress', 5],
      ['completed', 10],
      ['waiting', 100],
    ]);
    expect((await s.getStatusAudit(next.id)).every((row) => row.taskId === next.id)).toBe(true);
    expect((await s.getRunAudit(next.id)).map((row) => [row.taskId, row.status])).toEqual([[next.id, 'completed']]);
    expect((await s.getExecutionLogs(next.id)).map((row) => [row.taskId, row.at - T])).toEqual([[next.id, 6]]);
    expect(await s.getStatusAudit(previous.id)).toEqual([]);
  });

  test('replace changes nothing when the previous task is gone or not in one of the guard statuses', async (s) => {
    const previous = await finishedKeyedTask(s, 'k');
    const next = task({ taskKey: 'k', createdAt: T + 100 });
    expect(await s.replace(previous.id, ['failed', 'cancelled'], next)).toBe(false);
    expect(await s.replace(task().id, TERMINAL, next)).toBe(false);
    expect(await s.get(next.id)).toBeUndefined();
    expect(await s.getByTaskKey('k')).toEqual(previous);
    expect(await s.getStatusAudit(previous.id)).toHaveLength(3);
  });

  test('replace throws TaskKeyConflictError when another task holds the new key, and changes nothing', async (s) => {
    const previous = await finishedKeyedTask(s, 'old-key');
    const holder = task({ taskKey: 'taken' });
    await s.add([holder]);
    await rejectsWithCode(s.replace(previous.id, TERMINAL, task({ taskKey: 'taken' })), 'ERR_TASK_KEY_CONFLICT');
    expect(await s.getByTaskKey('old-key')).toEqual(previous);
    expect(await s.getByTaskKey('taken')).toEqual(holder);
    expect(await s.getStatusAudit(previous.id)).toHaveLength(3);
  });

  test('concurrent replacements of one task: exactly one applies and one task holds the key', async (s) => {
    const previous = await finishedKeyedTask(s, 'contended');
    const candidates = Array.from({ length: 6 }, (_, i) => task({ taskKey: 'contended', createdAt: T + 100 + i }));
    const outcomes = await Promise.all(candidates.map((next) => s.replace(previous.id, TERMINAL, next)));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const winner = candidates[outcomes.indexOf(true)] as StoredTask;
    expect((await s.query({ taskKey: 'contended' })).items.map((t) => t.id)).toEqual([winner.id]);
    expect(await s.getStatusAudit(winner.id)).toHaveLength(3);
  });

  test('replace rejects bad arguments and changes nothing', async (s) => {
    const previous = await finishedKeyedTask(s, 'k');
    await rejectsWithCode(s.replace(previous.id, TERMINAL, { ...task({ taskKey: 'k' }), id: previous.id }), 'ERR_INVALID_ARGUMENT');
    await rejectsWithCode(s.replace('not-a-uuid', TERMINAL, task({ taskKey: 'k' })), 'ERR_INVALID_ARGUMENT');
    await rejectsWithCode(s.replace(previous.id, ['finished' as TaskStatus], task({ taskKey: 'k' })), 'ERR_INVALID_ARGUMENT');
    await rejectsWithCode(s.replace(previous.id, TERMINAL, { ...task({ taskKey: 'k' }), queue: '' }), 'ERR_INVALID_ARGUMENT');
    expect(await s.getByTaskKey('k')).toEqual(previous);
  });
}
