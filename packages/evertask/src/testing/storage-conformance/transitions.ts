import { expect } from 'vitest';
import { uuidv7 } from '../../ids.js';
import { TASK_STATUSES, TERMINAL_STATUSES } from '../../ports/task-record.js';
import type { StoredTask, TaskPatch } from '../../ports/task-record.js';
import type { TaskTransition } from '../../ports/task-storage.js';
import { allowedSources } from '../../state-machine.js';
import { T, LEASE, task, log, sortedIds, claim } from './fixtures.js';
import { countExecutionLogs } from '../../storage/derived-reads.js';
import type { Register } from './fixtures.js';

// ---- transition --------------------------------------------------------------------------------

export function registerTransitionTests(test: Register): void {
  test('writes prior audit rows before the audit row, only when the change applies', async (s) => {
    const t = task({ status: 'queued', leaseOwner: 'w1', leaseExpiresAt: T + LEASE });
    const other = task({ status: 'completed' });
    await s.add([t, other]);
    const applied = await s.transition([
      {
        id: t.id,
        from: ['queued'],
        owner: 'w1',
        to: 'completed',
        at: T + 20,
        priorAudits: [{ status: 'in-progress', at: T + 10, error: null }],
        audit: { error: null },
      },
      { id: other.id, from: ['queued'], to: 'failed', at: T + 20, priorAudits: [{ status: 'in-progress', at: T + 10, error: null }], audit: { error: 'x' } },
    ]);
    expect(applied).toEqual([true, false]);
    expect(await s.getStatusAudit(t.id)).toEqual([
      { taskId: t.id, status: 'in-progress', at: T + 10, error: null, actor: null },
      { taskId: t.id, status: 'completed', at: T + 20, error: null, actor: null },
    ]);
    expect(await s.getStatusAudit(other.id)).toEqual([]);
  });

  test('applies a guarded change with its patch, audit row, run-audit row and logs', async (s) => {
    const t = task({ status: 'in-progress', leaseOwner: 'w1', leaseExpiresAt: T + LEASE, recurring: '{"every":"1m"}' });
    await s.add([t]);
    const patch: TaskPatch = {
      attempts: 2,
      error: 'Error: boom',
      lastExecutionAt: T + 50,
      executionTimeMs: 33.5,
      leaseOwner: null,
      leaseExpiresAt: null,
      dueAt: T + 5000,
      runCount: 4,
      lastOutcome: 'failed',
      recoveryFailures: 1,
    };
    const logs = [log(t.id, T + 40, 0), log(t.id, T + 45, 1, { level: 'error', exception: 'Error: boom' })];
    const applied = await s.transition([
      {
        id: t.id,
        from: ['in-progress'],
        owner: 'w1',
        to: 'waiting',
        at: T + 60,
        patch,
        audit: { error: 'Error: boom' },
        runAudit: { at: T + 50, status: 'failed', executionTimeMs: 33.5, error: 'Error: boom' },
        logs,
      },
    ]);
    expect(applied).toEqual([true]);
    expect(await s.get(t.id)).toEqual({ ...t, ...patch, status: 'waiting', updatedAt: T + 60 });
    expect(await s.getStatusAudit(t.id)).toEqual([{ taskId: t.id, status: 'waiting', at: T + 60, error: 'Error: boom', actor: null }]);
    expect(await s.getRunAudit(t.id)).toEqual([
      { taskId: t.id, at: T + 50, status: 'failed', executionTimeMs: 33.5, error: 'Error: boom' },
    ]);
    expect(await s.getExecutionLogs(t.id)).toEqual(logs);
    expect(await s.nextDueAt()).toBe(T + 5000);

    expect(await s.transition([{ id: t.id, from: ['waiting'], to: 'queued', at: T + 70 }])).toEqual([true]);
    expect(await s.getStatusAudit(t.id)).toHaveLength(1);
    expect(await s.getRunAudit(t.id)).toHaveLength(1);
  });

  test('does not apply and writes nothing when the status is not in from', async (s) => {
    const t = task({ status: 'waiting' });
    await s.add([t]);
    const change: TaskTransition = {
      id: t.id,
      from: ['in-progress'],
      to: 'completed',
      at: T + 10,
      patch: { error: 'x' },
      audit: { error: null },
      runAudit: { at: T + 10, status: 'completed', executionTimeMs: 1, error: null },
      logs: [log(t.id, T + 10, 0)],
    };
    expect(await s.transition([change])).toEqual([false]);
    expect(await s.get(t.id)).toEqual(t);
    expect(await s.getStatusAudit(t.id)).toEqual([]);
    expect(await s.getRunAudit(t.id)).toEqual([]);
    expect(await countExecutionLogs(s, t.id)).toBe(0);
  });

  test('guards by lease owner', async (s) => {
    const t = task({ status: 'queued', leaseOwner: 'owner-1', leaseExpiresAt: T + LEASE });
    await s.add([t]);
    const change = (owner: string): TaskTransition => ({
      id: t.id,
      from: ['queued'],
      owner,
      to: 'in-progress',
      at: T + 1,
      audit: { error: null },
    });
    expect(await s.transition([change('owner-2')])).toEqual([false]);
    expect((await s.get(t.id))?.status).toBe('queued');
    expect(await s.getStatusAudit(t.id)).toEqual([]);
    expect(await s.transition([change('owner-1')])).toEqual([true]);
    expect((await s.get(t.id))?.status).toBe('in-progress');
    const unleased = task({ status: 'queued' });
    await s.add([unleased]);
    expect(await s.transition([{ ...change('owner-1'), id: unleased.id }])).toEqual([false]);
    expect(await s.transition([{ id: unleased.id, from: ['queued'], to: 'in-progress', at: T + 1 }])).toEqual([true]);
  });

  test('returns per-change results for a mixed batch', async (s) => {
    // The changes of one batch concern distinct tasks (the port's rule), so they are independent.
    const a = task();
    const b = task();
    const c = task({ status: 'queued', leaseOwner: 'x', leaseExpiresAt: T + LEASE });
    const d = task({ status: 'queued', leaseOwner: 'x', leaseExpiresAt: T + LEASE });
    await s.add([a, b, c, d]);
    const results = await s.transition([
      { id: a.id, from: ['waiting'], to: 'queued', at: T + 1, audit: { error: null } },
      { id: uuidv7(), from: ['waiting'], to: 'queued', at: T + 1, audit: { error: null } },
      { id: b.id, from: ['queued'], to: 'in-progress', at: T + 1, audit: { error: null } },
      { id: c.id, from: ['queued'], owner: 'y', to: 'in-progress', at: T + 1, audit: { error: null }, logs: [log(c.id, T, 0)] },
      { id: d.id, from: ['queued'], owner: 'x', to: 'in-progress', at: T + 2, audit: { error: null }, logs: [log(d.id, T, 0)] },
    ]);
    expect(results).toEqual([true, false, false, false, true]);
    expect((await s.get(a.id))?.status).toBe('queued');
    expect((await s.get(b.id))?.status).toBe('waiting');
    expect((await s.get(c.id))?.status).toBe('queued');
    expect((await s.get(d.id))?.status).toBe('in-progress');
    expect(await s.getStatusAudit(a.id)).toHaveLength(1);
    expect(await s.getStatusAudit(b.id)).toEqual([]);
    expect(await s.getStatusAudit(c.id)).toEqual([]);
    expect(await s.getStatusAudit(d.id)).toEqual([{ taskId: d.id, status: 'in-progress', at: T + 2, error: null, actor: null }]);
    expect(await countExecutionLogs(s, c.id)).toBe(0);
    expect(await countExecutionLogs(s, d.id)).toBe(1);
  });

  test('applies a batch of 500 changes with per-change results', async (s) => {
    const batch = Array.from({ length: 500 }, (_, i) => task({ createdAt: T + i, status: i % 3 === 0 ? 'completed' : 'waiting' }));
    await s.add(batch);
    const results = await s.transition(
      batch.map((t) => ({ id: t.id, from: allowedSources('queued'), to: 'queued' as const, at: T + 1000, audit: { error: null } })),
    );
    expect(results).toEqual(batch.map((t) => t.status === 'waiting'));
    const queued = await s.query({ statuses: ['queued'] }, { limit: 1000 });
    expect(sortedIds(queued.items)).toEqual(sortedIds(batch.filter((t) => t.status === 'waiting')));
    expect(await s.getStatusAudit((batch[1] as StoredTask).id)).toEqual([
      { taskId: (batch[1] as StoredTask).id, status: 'queued', at: T + 1000, error: null, actor: null },
    ]);
  });

  test('never overwrites a terminal task', async (s) => {
    for (const terminal of TERMINAL_STATUSES) {
      const t = task({ status: terminal, dueAt: T, leaseOwner: 'w', leaseExpiresAt: T });
      await s.add([t]);
      for (const to of TASK_STATUSES) {
        expect(await s.transition([{ id: t.id, from: allowedSources(to), to, at: T + 1, audit: { error: 'late' } }]), to).toEqual([false]);
      }
      expect(await s.get(t.id)).toEqual(t);
      expect(await s.getStatusAudit(t.id)).toEqual([]);
    }
    expect(await claim(s, T + 10 * LEASE)).toEqual([]);
  });

  test('leaving waiting makes a task unclaimable', async (s) => {
    const t = task({ dueAt: T });
    await s.add([t]);
    expect(await s.transition([{ id: t.id, from: allowedSources('cancelled'), to: 'cancelled', at: T + 1 }])).toEqual([true]);
    expect(await claim(s, T + 10)).toEqual([]);
    expect(await s.nextDueAt()).toBeUndefined();
    expect(await s.pending(undefined, 10)).toEqual([]);
  });
}
