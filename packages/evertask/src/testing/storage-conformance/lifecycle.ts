import { expect } from 'vitest';
import type { TaskStatus } from '../../ports/task-record.js';
import type { TaskSortField } from '../../ports/task-storage.js';
import { T, LEASE, task } from './fixtures.js';
import { scheduledTasks } from '../../storage/derived-reads.js';
import type { Register } from './fixtures.js';

// ---- lifecycle and validation ------------------------------------------------------------------

export function registerLifecycleTests(test: Register): void {
  test('open and close are idempotent', async (s) => {
    await s.open();
    const t = task();
    await s.add([t]);
    await s.open();
    expect(await s.get(t.id)).toEqual(t);
    await s.close();
    await s.close();
  });

  test('declares its capabilities as booleans and its optional roles whole', async (s) => {
    const flags = s.capabilities;
    for (const key of ['persistent', 'multiProcess', 'transactionalDispatch'] as const) {
      expect(typeof flags[key], key).toBe('boolean');
    }
    if (s.notifications !== undefined) {
      expect(typeof s.notifications.subscribe).toBe('function');
      expect(typeof s.notifications.notify).toBe('function');
    }
    if (s.instances !== undefined) {
      for (const method of ['heartbeat', 'remove', 'list'] as const) expect(typeof s.instances[method], method).toBe('function');
    }
  });

  test('rejects invalid arguments with ERR_INVALID_ARGUMENT', async (s) => {
    const t = task();
    await s.add([t]);
    const bad: [string, () => Promise<unknown>][] = [
      ['claimDue limit', () => s.claimDue({ owner: 'o', now: T, limit: -1, leaseMs: LEASE })],
      ['claimDue leaseMs', () => s.claimDue({ owner: 'o', now: T, limit: 1, leaseMs: -5 })],
      ['claimDue now', () => s.claimDue({ owner: 'o', now: Number.NaN, limit: 1, leaseMs: LEASE })],
      ['pending limit', () => s.pending(undefined, -1)],
      ['scheduled limit', () => scheduledTasks(s, T, -1)],
      ['getExecutionLogs skip', () => s.getExecutionLogs(t.id, -1)],
      ['getExecutionLogs take', () => s.getExecutionLogs(t.id, 0, -1)],
      ['query limit', () => s.query({}, { limit: -1 })],
      ['query offset', () => s.query({}, { offset: -1 })],
      ['query sortBy', () => s.query({}, { sortBy: 'payload; drop table x' as TaskSortField })],
      ['transition to', () => s.transition([{ id: t.id, from: ['waiting'], to: 'done' as TaskStatus, at: T }])],
    ];
    for (const [label, call] of bad) {
      let caught: unknown;
      try {
        await call();
      } catch (error) {
        caught = error;
      }
      expect(caught, label).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    }
    expect(await s.get(t.id)).toEqual(t);
  });
}
