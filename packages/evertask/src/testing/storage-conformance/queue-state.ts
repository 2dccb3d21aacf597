import { expect } from 'vitest';
import { T, LEASE, task, sortedIds, rejectsWithCode, claim } from './fixtures.js';
import type { Register } from './fixtures.js';

// ---- paused queues ---------------------------------------------------------------------------------

export function registerQueueStateTests(test: Register): void {
  test('a paused queue yields nothing to claimDue while the other queues still flow', async (s) => {
    const mail = task({ queue: 'mail', dueAt: T });
    const lapsedMail = task({ queue: 'mail', status: 'queued', leaseOwner: 'gone', leaseExpiresAt: T, dueAt: T });
    const sms = task({ queue: 'sms', dueAt: T + 1 });
    await s.add([mail, lapsedMail, sms]);
    expect(await s.setQueuePaused('mail', true, { actor: 'ops', at: T })).toBe(true);
    expect(sortedIds(await claim(s, T + 10))).toEqual([sms.id]);
    expect(await claim(s, T + 10, { queues: ['mail'] })).toEqual([]);
    expect((await s.get(mail.id))?.status).toBe('waiting');
    expect((await s.get(lapsedMail.id))?.leaseOwner).toBe('gone');
    expect(await s.setQueuePaused('mail', false, { actor: 'ops', at: T + 20 })).toBe(true);
    expect(sortedIds(await claim(s, T + 30))).toEqual([mail.id, lapsedMail.id].sort());
  });

  test('nextDueAt leaves paused queues out', async (s) => {
    await s.add([task({ queue: 'mail', dueAt: T + 5 }), task({ queue: 'mail', status: 'in-progress', leaseOwner: 'w', leaseExpiresAt: T + 6 }), task({ queue: 'sms', dueAt: T + 50 })]);
    expect(await s.nextDueAt()).toBe(T + 5);
    await s.setQueuePaused('mail', true, { actor: null, at: T });
    expect(await s.nextDueAt()).toBe(T + 50);
    expect(await s.nextDueAt(['mail'])).toBeUndefined();
    await s.setQueuePaused('sms', true, { actor: null, at: T });
    expect(await s.nextDueAt()).toBeUndefined();
    await s.setQueuePaused('mail', false, { actor: null, at: T + 1 });
    expect(await s.nextDueAt(['mail', 'sms'])).toBe(T + 5);
  });

  test('pausedQueues lists each paused queue once with its first pause; pause and resume are idempotent', async (s) => {
    expect(await s.pausedQueues()).toEqual([]);
    expect(await s.setQueuePaused('reports', false, { actor: 'ops', at: T })).toBe(false);
    expect(await s.setQueuePaused('reports', true, { actor: 'ops', at: T + 1 })).toBe(true);
    expect(await s.setQueuePaused('reports', true, { actor: 'someone-else', at: T + 2 })).toBe(false);
    expect(await s.setQueuePaused('a/b:c.d-e', true, { actor: null, at: T + 3 })).toBe(true);
    expect(await s.pausedQueues()).toEqual([
      { queue: 'a/b:c.d-e', pausedAt: T + 3, pausedBy: null },
      { queue: 'reports', pausedAt: T + 1, pausedBy: 'ops' },
    ]);
    expect(await s.setQueuePaused('reports', false, { actor: 'ops', at: T + 4 })).toBe(true);
    expect(await s.setQueuePaused('reports', false, { actor: 'ops', at: T + 5 })).toBe(false);
    expect(await s.pausedQueues()).toEqual([{ queue: 'a/b:c.d-e', pausedAt: T + 3, pausedBy: null }]);
  });

  test('a queue paused before its tasks exist still holds them back; running leases are left alone', async (s) => {
    await s.setQueuePaused('later', true, { actor: null, at: T });
    const running = task({ queue: 'later', status: 'in-progress', leaseOwner: 'w', leaseExpiresAt: T + LEASE });
    const waiting = task({ queue: 'later', dueAt: T });
    await s.add([running, waiting]);
    expect(await claim(s, T + 1)).toEqual([]);
    expect(await s.renewLeases('w', T + 1, LEASE)).toBe(1);
    const [done] = await s.transition([{ id: running.id, from: ['in-progress'], owner: 'w', to: 'completed', at: T + 2, patch: { leaseOwner: null, leaseExpiresAt: null, dueAt: null } }]);
    expect(done).toBe(true);
  });

  test('setQueuePaused rejects bad queue names, flags and changes', async (s) => {
    for (const queue of ['', 7, null, 'x'.repeat(256)]) {
      await rejectsWithCode(s.setQueuePaused(queue as never, true, { actor: null, at: T }), 'ERR_INVALID_ARGUMENT');
    }
    await rejectsWithCode(s.setQueuePaused('q', 'yes' as never, { actor: null, at: T }), 'ERR_INVALID_ARGUMENT');
    await rejectsWithCode(s.setQueuePaused('q', true, { actor: 3, at: T } as never), 'ERR_INVALID_ARGUMENT');
    await rejectsWithCode(s.setQueuePaused('q', true, { actor: null, at: 1.5 }), 'ERR_INVALID_ARGUMENT');
    await rejectsWithCode(s.setQueuePaused('q', true, undefined as never), 'ERR_INVALID_ARGUMENT');
    expect(await s.pausedQueues()).toEqual([]);
  });
}
