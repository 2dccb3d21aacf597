import { describe, expect, it } from 'vitest';
import { readExecutionLogRow, readPausedQueueRow, readStatusAuditRow, readStatusCountRow, readTaskRow, TASK_FIELDS } from 'evertask/storage-kit';
import { makeStoredTask } from 'evertask/testing';
import { uuidv7 } from 'evertask';

function rowOf(task: object): Record<string, unknown> {
  const source = task as Record<string, unknown>;
  return Object.fromEntries(TASK_FIELDS.map((spec) => [spec.column, source[spec.field]]));
}

describe('row readers', () => {
  it('reads a tasks row into a StoredTask, converting 64-bit integers returned as text or bigint', () => {
    const task = makeStoredTask({ dueAt: Date.UTC(2026, 0, 2), attempts: 3, executionTimeMs: 12.5 });
    const row = { ...rowOf(task), created_at: String(task.createdAt), due_at: BigInt(task.dueAt as number), attempts: '3', execution_time_ms: '12.5' };
    expect(readTaskRow(row, 'TestStorage')).toEqual(task);
  });

  it('throws StorageError naming the row, the column and the value of a malformed row', () => {
    const task = makeStoredTask();
    const read = () => readTaskRow({ ...rowOf(task), status: 'running' }, 'TestStorage');
    expect(read).toThrow(expect.objectContaining({ code: 'ERR_STORAGE' }));
    expect(read).toThrow(new RegExp(`TestStorage read a malformed task row of "${task.id}": column "status" holds "running"`));
    expect(() => readTaskRow({ ...rowOf(task), attempts: 'many' }, 'TestStorage')).toThrow(/column "attempts" holds "many"/);
  });

  it('reads audit and log rows', () => {
    const taskId = uuidv7();
    expect(readStatusAuditRow({ task_id: taskId, status: 'waiting', at: '5', error: null, actor: null }, 'TestStorage')).toEqual({ taskId, status: 'waiting', at: 5, error: null, actor: null });
    expect(readStatusAuditRow({ task_id: taskId, status: 'waiting', at: 5, error: null, actor: 'ops' }, 'TestStorage').actor).toBe('ops');
    expect(() => readStatusAuditRow({ task_id: taskId, status: 'waiting', at: 5, error: null, actor: 3 }, 'TestStorage')).toThrow(/column "actor" holds 3/);
    expect(readPausedQueueRow({ queue: 'mail', paused_at: '9', paused_by: null }, 'TestStorage')).toEqual({ queue: 'mail', pausedAt: 9, pausedBy: null });
    expect(() => readPausedQueueRow({ queue: '', paused_at: 9, paused_by: null }, 'TestStorage')).toThrow(/column "queue"/);
    const id = uuidv7();
    const row = { id, task_id: taskId, at: 7, level: 'error', message: 'm', exception: 'e', sequence: 1 };
    expect(readExecutionLogRow(row, 'TestStorage')).toEqual({ id, taskId, at: 7, level: 'error', message: 'm', exception: 'e', sequence: 1 });
    expect(() => readExecutionLogRow({ ...row, level: 'loud' }, 'TestStorage')).toThrow(/column "level"/);
  });

  it('reads a count row (queue, status, n), the count returned as a number, text or bigint', () => {
    expect(readStatusCountRow({ queue: 'default', status: 'completed', n: 3 }, 'TestStorage')).toEqual({ queue: 'default', status: 'completed', count: 3 });
    expect(readStatusCountRow({ queue: 'q', status: 'waiting', n: '12' }, 'TestStorage')).toEqual({ queue: 'q', status: 'waiting', count: 12 });
    expect(readStatusCountRow({ queue: 'q', status: 'failed', n: 5n }, 'TestStorage')).toEqual({ queue: 'q', status: 'failed', count: 5 });
    expect(() => readStatusCountRow({ queue: 'q', status: 'done', n: 1 }, 'TestStorage')).toThrow(/TestStorage read a malformed status-count row: column "status" holds "done"/);
    expect(() => readStatusCountRow({ queue: 'q', status: 'queued', n: -1 }, 'TestStorage')).toThrow(/column "n"/);
  });
});
