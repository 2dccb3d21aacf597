import { expect } from 'vitest';
import { uuidv7 } from '../../ids.js';
import type { ExecutionLogEntry, StoredTask } from '../../ports/task-record.js';
import type { TaskStorage } from '../../ports/task-storage.js';
import { newStoredTask } from '../../storage/stored-task.js';
import type { Register } from './fixtures.js';

/** Base time of these tests: 2026-01-01T00:00:00Z. */
const BASE = Date.UTC(2026, 0, 1);

function oneOff(overrides: Partial<StoredTask> = {}): StoredTask {
  return newStoredTask({ id: uuidv7(BASE), name: 'test-task', payload: '{}', createdAt: BASE, ...overrides });
}

function logsAt(taskId: string, times: readonly number[]): ExecutionLogEntry[] {
  return times.map((at, sequence) => ({
    id: uuidv7(at),
    taskId,
    at,
    level: 'information',
    message: `at ${at - BASE}`,
    exception: null,
    sequence,
  }));
}

/** Finishes a waiting task at `at` with one status-audit row, one run-audit row and logs at `logTimes`. */
async function finish(storage: TaskStorage, task: StoredTask, to: 'completed' | 'failed', at: number, logTimes: readonly number[]) {
  const applied = await storage.transition([
    {
      id: task.id,
      from: ['waiting'],
      to,
      at,
      audit: { error: to === 'failed' ? 'boom' : null },
      runAudit: { at, status: to, executionTimeMs: 1, error: to === 'failed' ? 'boom' : null },
      logs: logsAt(task.id, logTimes),
    },
  ]);
  expect(applied).toEqual([true]);
}

/**
 * `cleanup`'s result counts every row it removed: the audit rows and logs that go with a deleted
 * task (by cascade) as well as those removed by age, each row once.
 */
export function registerCleanupCountTests(test: Register): void {
  test('cleanup counts the audit rows and logs removed with their task', async (s) => {
    const completed = oneOff();
    const failed = oneOff();
    await s.add([completed, failed], { audit: true }); // one status row each, dated BASE
    await finish(s, completed, 'completed', BASE + 10, [BASE + 1, BASE + 2, BASE + 3]);
    await finish(s, failed, 'failed', BASE + 10, [BASE + 4]);
    const result = await s.cleanup({ completedBefore: BASE + 100, failedBefore: BASE + 100 });
    // per task: the row of `add`, the status row and the run row of the transition
    expect(result).toEqual({ tasks: 2, audits: 6, logs: 4 });
    expect(await s.getStatusAudit(completed.id)).toEqual([]);
    expect(await s.getRunAudit(failed.id)).toEqual([]);
  });

  test('cleanup counts a row once when it is both old and its task goes', async (s) => {
    const gone = oneOff();
    const kept = oneOff(); // waiting: never deleted, but its old rows are
    await s.add([gone, kept], { audit: true });
    await finish(s, gone, 'completed', BASE + 50, [BASE + 5, BASE + 50]);
    await s.saveExecutionLogs(kept.id, logsAt(kept.id, [BASE + 5, BASE + 60]));
    const result = await s.cleanup({ completedBefore: BASE + 100, auditBefore: BASE + 20, logsBefore: BASE + 20 });
    // gone: 3 audit rows (1 old) and 2 logs (1 old); kept: 1 old audit row, 1 old log of 2
    expect(result).toEqual({ tasks: 1, audits: 4, logs: 3 });
    expect(await s.get(kept.id)).toBeDefined();
    expect(await s.getStatusAudit(kept.id)).toEqual([]);
    expect((await s.getExecutionLogs(kept.id)).map((entry) => entry.at)).toEqual([BASE + 60]);
  });
}
