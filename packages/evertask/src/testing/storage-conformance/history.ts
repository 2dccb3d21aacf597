import { expect } from 'vitest';
import { uuidv7 } from '../../ids.js';
import type { TaskStatus } from '../../ports/task-record.js';
import type { TaskTransition } from '../../ports/task-storage.js';
import { T, LEASE, task, log, rejectsWithCode } from './fixtures.js';
import { countExecutionLogs } from '../../storage/derived-reads.js';
import type { Register } from './fixtures.js';

// ---- history -----------------------------------------------------------------------------------

export function registerHistoryTests(test: Register): void {
  test('status audit is returned oldest first', async (s) => {
    const t = task();
    await s.add([t], { audit: true });
    await s.transition([{ id: t.id, from: ['waiting'], to: 'queued', at: T + 30, audit: { error: null } }]);
    // A row with an earlier time (another instance's clock) still sorts by time.
    await s.transition([{ id: t.id, from: ['queued'], to: 'in-progress', at: T + 20, audit: { error: 'skewed' } }]);
    await s.transition([{ id: t.id, from: ['in-progress'], to: 'failed', at: T + 40, audit: { error: 'Error: final' } }]);
    expect(await s.getStatusAudit(t.id)).toEqual([
      { taskId: t.id, status: 'waiting', at: T, error: null, actor: null },
      { taskId: t.id, status: 'in-progress', at: T + 20, error: 'skewed', actor: null },
      { taskId: t.id, status: 'queued', at: T + 30, error: null, actor: null },
      { taskId: t.id, status: 'failed', at: T + 40, error: 'Error: final', actor: null },
    ]);
    expect(await s.getStatusAudit(uuidv7())).toEqual([]);
  });

  test('status audit rows keep the actor of the change (null for the engine)', async (s) => {
    const t = task({ status: 'failed', dueAt: null });
    await s.add([t]);
    const [applied] = await s.transition([
      {
        id: t.id,
        from: ['failed'],
        to: 'waiting',
        at: T + 10,
        patch: { dueAt: T + 10, attempts: 0 },
        priorAudits: [{ status: 'failed', at: T + 5, error: 'Error: before' }],
        audit: { error: null, actor: 'ops-ünï "admin"' },
      },
    ]);
    expect(applied).toBe(true);
    await s.transition([{ id: t.id, from: ['waiting'], to: 'cancelled', at: T + 20, audit: { error: null, actor: null } }]);
    expect(await s.getStatusAudit(t.id)).toEqual([
      { taskId: t.id, status: 'failed', at: T + 5, error: 'Error: before', actor: null },
      { taskId: t.id, status: 'waiting', at: T + 10, error: null, actor: 'ops-ünï "admin"' },
      { taskId: t.id, status: 'cancelled', at: T + 20, error: null, actor: null },
    ]);
    await rejectsWithCode(s.transition([{ id: t.id, from: ['cancelled'], to: 'waiting', at: T + 30, audit: { error: null, actor: 7 as never } }]), 'ERR_INVALID_ARGUMENT');
  });

  test('run audit is returned oldest first', async (s) => {
    const t = task({ recurring: '{"every":"1m"}', status: 'in-progress', leaseOwner: 'w', leaseExpiresAt: T + LEASE });
    const other = task({ recurring: '{"every":"1m"}' });
    await s.add([t, other]);
    const run = (at: number, status: TaskStatus, error: string | null): TaskTransition => ({
      id: t.id,
      from: ['in-progress', 'waiting'],
      to: 'waiting',
      at: at + 1,
      runAudit: { at, status, executionTimeMs: at - T, error },
    });
    await s.transition([run(T + 60, 'completed', null)]);
    await s.transition([run(T + 180, 'failed', 'Error: x')]);
    await s.transition([run(T + 120, 'completed', null)]);
    expect(await s.getRunAudit(t.id)).toEqual([
      { taskId: t.id, at: T + 60, status: 'completed', executionTimeMs: 60, error: null },
      { taskId: t.id, at: T + 120, status: 'completed', executionTimeMs: 120, error: null },
      { taskId: t.id, at: T + 180, status: 'failed', executionTimeMs: 180, error: 'Error: x' },
    ]);
    expect(await s.getRunAudit(other.id)).toEqual([]);
  });

  test('execution logs are ordered by (at, sequence, id) and paged with skip and take', async (s) => {
    const t = task();
    const other = task();
    await s.add([t, other]);
    const tieA = log(t.id, T + 3, 0, { message: 'tie a' });
    const tieB = log(t.id, T + 3, 0, { message: 'tie b' });
    const [low, high] = tieA.id < tieB.id ? [tieA, tieB] : [tieB, tieA];
    const l1 = log(t.id, T + 1, 0, { level: 'debug' });
    const l2 = log(t.id, T + 1, 1, { level: 'warning' });
    const l3 = log(t.id, T + 2, 0, { level: 'error', exception: 'Error: e\n  at x' });
    const l4 = log(t.id, T + 2, 5, { level: 'critical', message: 'ünïcode 😀 "quoted"' });
    await s.saveExecutionLogs(t.id, [l4, high, l2]);
    await s.saveExecutionLogs(t.id, [l3, low, l1]);
    await s.saveExecutionLogs(other.id, [log(other.id, T, 0)]);
    await s.saveExecutionLogs(t.id, []);
    const expected = [l1, l2, l3, l4, low, high];
    expect(await s.getExecutionLogs(t.id)).toEqual(expected);
    expect(await s.getExecutionLogs(t.id, 1, 2)).toEqual([l2, l3]);
    expect(await s.getExecutionLogs(t.id, 4)).toEqual([low, high]);
    expect(await s.getExecutionLogs(t.id, 6, 10)).toEqual([]);
    expect(await s.getExecutionLogs(t.id, 0, 0)).toEqual([]);
    expect(await countExecutionLogs(s, t.id)).toBe(6);
    expect(await countExecutionLogs(s, other.id)).toBe(1);
    expect(await countExecutionLogs(s, uuidv7())).toBe(0);
  });

  test('getExecutionLogs with minLevel reads that level and above, paged among the matching logs', async (s) => {
    const t = task();
    await s.add([t]);
    const levels = ['trace', 'debug', 'information', 'warning', 'error', 'critical'] as const;
    // 30 logs cycling through the levels: a page of warnings and above must skip the others in the storage
    const logs = Array.from({ length: 30 }, (_, i) => log(t.id, T + i, 0, { level: levels[i % levels.length] }));
    await s.saveExecutionLogs(t.id, logs);
    const serious = logs.filter((entry) => entry.level === 'warning' || entry.level === 'error' || entry.level === 'critical');
    expect(await s.getExecutionLogs(t.id, 0, 1000, 'warning')).toEqual(serious);
    expect(await s.getExecutionLogs(t.id, 4, 5, 'warning')).toEqual(serious.slice(4, 9));
    expect(await s.getExecutionLogs(t.id, 14, 5, 'warning')).toEqual([serious[14]]);
    expect(await s.getExecutionLogs(t.id, 0, 3, 'critical')).toEqual(logs.filter((entry) => entry.level === 'critical').slice(0, 3));
    expect(await s.getExecutionLogs(t.id, 0, 1000, 'trace')).toEqual(logs);
    expect(await s.getExecutionLogs(t.id, 0, 0, 'error')).toEqual([]);
    await rejectsWithCode(s.getExecutionLogs(t.id, 0, 10, 'loud' as never), 'ERR_INVALID_ARGUMENT');
  });

  test('getExecutionLogs takes 1,000 rows by default', async (s) => {
    const t = task();
    await s.add([t]);
    const logs = Array.from({ length: 1005 }, (_, i) => log(t.id, T + i, 0));
    await s.saveExecutionLogs(t.id, logs);
    const page = await s.getExecutionLogs(t.id);
    expect(page).toHaveLength(1000);
    expect(page[999]).toEqual(logs[999]);
    expect(await s.getExecutionLogs(t.id, 1000)).toEqual(logs.slice(1000));
    expect(await countExecutionLogs(s, t.id)).toBe(1005);
  });
}
