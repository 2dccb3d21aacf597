import { expect } from 'vitest';
import { uuidv7 } from '../../ids.js';
import type { StoredTask } from '../../ports/task-record.js';
import { T, LEASE, task, ids, sortedIds, rejectsWithCode, claim } from './fixtures.js';
import type { Register } from './fixtures.js';

// ---- claimDue ----------------------------------------------------------------------------------

export function registerClaimTests(test: Register): void {
  test('claims only due tasks, earliest first, up to the limit', async (s) => {
    const d30 = task({ dueAt: T + 30 });
    const d10 = task({ dueAt: T + 10 });
    const d40 = task({ dueAt: T + 40 });
    const d20 = task({ dueAt: T + 20 });
    const never = task({ dueAt: null });
    await s.add([d30, d10, d40, d20, never]);
    expect(ids(await claim(s, T + 30, { limit: 2 }))).toEqual([d10.id, d20.id]);
    expect(ids(await claim(s, T + 30, { limit: 2 }))).toEqual([d30.id]);
    expect(await claim(s, T + 30)).toEqual([]);
    expect(await claim(s, T + 30, { limit: 0 })).toEqual([]);
    expect((await s.get(d40.id))?.status).toBe('waiting');
    expect((await s.get(never.id))?.status).toBe('waiting');
    expect(ids(await claim(s, T + 40))).toEqual([d40.id]);
  });

  test('sets status, owner, lease and updatedAt on claimed tasks', async (s) => {
    const t = task({ dueAt: T + 5, attempts: 1, payload: '{"k":1}', traceContext: '{"traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}' });
    await s.add([t]);
    const [claimed] = await s.claimDue({ owner: 'instance-7', now: T + 10, limit: 5, leaseMs: 12_345 });
    const expected = { ...t, status: 'queued', leaseOwner: 'instance-7', leaseExpiresAt: T + 10 + 12_345, updatedAt: T + 10 };
    expect(claimed).toEqual(expected);
    expect(await s.get(t.id)).toEqual(expected);
  });

  test('claims service-stopped tasks', async (s) => {
    const t = task({ status: 'service-stopped', dueAt: T, error: 'shutdown' });
    await s.add([t]);
    expect(ids(await claim(s, T))).toEqual([t.id]);
    expect((await s.get(t.id))?.status).toBe('queued');
  });

  test('never claims terminal tasks or tasks without a due time or lease', async (s) => {
    const old = { dueAt: T, leaseOwner: 'gone', leaseExpiresAt: T };
    await s.add([
      task({ status: 'completed', ...old }),
      task({ status: 'failed', ...old }),
      task({ status: 'cancelled', ...old }),
      task({ status: 'waiting', dueAt: null }),
      task({ status: 'service-stopped', dueAt: null }),
      task({ status: 'queued', dueAt: T, leaseOwner: null, leaseExpiresAt: null }),
    ]);
    expect(await claim(s, T + 100 * LEASE)).toEqual([]);
  });

  test('filters by task names: a task of another name stays as it is, waiting or with its lapsed lease', async (s) => {
    const mail = task({ name: 'send-mail', dueAt: T + 2 });
    const report = task({ name: 'build-report', dueAt: T + 1 });
    const lapsed = task({ name: 'build-report', status: 'queued', leaseOwner: 'gone', leaseExpiresAt: T, dueAt: T });
    const sms = task({ name: 'send-sms', queue: 'sms', dueAt: T + 3 });
    await s.add([mail, report, lapsed, sms]);
    expect(ids(await claim(s, T + 10, { names: ['send-mail', 'unknown'], limit: 1 }))).toEqual([mail.id]);
    expect(await claim(s, T + 10, { names: ['send-sms'], queues: ['default'] })).toEqual([]);
    expect(await claim(s, T + 10, { names: [] })).toEqual([]);
    expect(await s.get(report.id)).toEqual(report);
    expect(await s.get(lapsed.id)).toEqual(lapsed);
    expect(ids(await claim(s, T + 10, { names: ['send-sms', 'build-report'], queues: ['sms', 'default'] }))).toEqual([lapsed.id, report.id, sms.id]);
  });

  test('filters by queues', async (s) => {
    const a = task({ queue: 'a', dueAt: T + 3 });
    const b = task({ queue: 'b', dueAt: T + 1 });
    const c = task({ queue: 'c', dueAt: T + 2 });
    const a2 = task({ queue: 'a', dueAt: T + 4 });
    await s.add([a, b, c, a2]);
    expect(ids(await claim(s, T + 10, { queues: ['a', 'c'] }))).toEqual([c.id, a.id, a2.id]);
    expect(await claim(s, T + 10, { queues: ['missing'] })).toEqual([]);
    expect(ids(await claim(s, T + 10))).toEqual([b.id]);
  });

  test('reclaims queued and in-progress tasks whose lease expired', async (s) => {
    const q = task({ status: 'queued', dueAt: T, leaseOwner: 'dead', leaseExpiresAt: T + 100 });
    const p = task({ status: 'in-progress', dueAt: T, leaseOwner: 'dead', leaseExpiresAt: T + 200, attempts: 1 });
    await s.add([q, p]);
    expect(await claim(s, T + 99, { owner: 'alive' })).toEqual([]);
    expect(ids(await claim(s, T + 100, { owner: 'alive' }))).toEqual([q.id]);
    expect(ids(await claim(s, T + 250, { owner: 'alive' }))).toEqual([p.id]);
    expect(await s.get(q.id)).toMatchObject({ status: 'queued', leaseOwner: 'alive', leaseExpiresAt: T + 100 + LEASE });
    expect(await s.get(p.id)).toMatchObject({ status: 'queued', leaseOwner: 'alive', leaseExpiresAt: T + 250 + LEASE, attempts: 1 });
  });

  test('claims are exclusive under concurrent claimers', async (s) => {
    const batch = Array.from({ length: 500 }, (_, i) => task({ dueAt: T + (i % 50) }));
    await s.add(batch);
    const claimer = async (owner: string) => {
      const got: StoredTask[] = [];
      for (;;) {
        const claimed = await s.claimDue({ owner, now: T + 1000, limit: 7, leaseMs: LEASE });
        if (claimed.length === 0) return got;
        got.push(...claimed);
      }
    };
    const owners = ['c1', 'c2', 'c3', 'c4', 'c5'];
    const results = await Promise.all(owners.map(claimer));
    const all = results.flat();
    expect(all).toHaveLength(500);
    expect(new Set(ids(all)).size).toBe(500);
    for (const [i, owner] of owners.entries()) {
      for (const claimed of results[i] ?? []) expect(claimed.leaseOwner).toBe(owner);
    }
    const stored = await s.query({ statuses: ['queued'] }, { limit: 1000 });
    expect(stored.total).toBe(500);
    const ownerOf = new Map(all.map((t) => [t.id, t.leaseOwner]));
    for (const t of stored.items) expect(t.leaseOwner).toBe(ownerOf.get(t.id));
  });

  test('renewLeases extends only the leases of the owner', async (s) => {
    const lease = { leaseExpiresAt: T + 100, dueAt: T };
    const a1 = task({ status: 'queued', leaseOwner: 'A', ...lease });
    const a2 = task({ status: 'in-progress', leaseOwner: 'A', ...lease });
    const b1 = task({ status: 'queued', leaseOwner: 'B', ...lease });
    const aDone = task({ status: 'completed', leaseOwner: 'A', ...lease });
    const aWaiting = task({ status: 'waiting', leaseOwner: 'A', leaseExpiresAt: T + 100, dueAt: null });
    await s.add([a1, a2, b1, aDone, aWaiting]);
    expect(await s.renewLeases('A', T + 50, 1000)).toBe(2);
    expect((await s.get(a1.id))?.leaseExpiresAt).toBe(T + 1050);
    expect((await s.get(a2.id))?.leaseExpiresAt).toBe(T + 1050);
    expect((await s.get(b1.id))?.leaseExpiresAt).toBe(T + 100);
    expect((await s.get(aDone.id))?.leaseExpiresAt).toBe(T + 100);
    expect((await s.get(aWaiting.id))?.leaseExpiresAt).toBe(T + 100);
    expect(await s.renewLeases('nobody', T + 50, 1000)).toBe(0);
  });

  test('renewLeases with ids extends only those of the owner, so a lease the owner lost track of lapses', async (s) => {
    const lease = { leaseExpiresAt: T + 100, dueAt: T };
    const held = task({ status: 'in-progress', leaseOwner: 'A', ...lease });
    const lost = task({ status: 'queued', leaseOwner: 'A', ...lease });
    const theirs = task({ status: 'queued', leaseOwner: 'B', ...lease });
    const done = task({ status: 'completed', leaseOwner: 'A', ...lease });
    await s.add([held, lost, theirs, done]);
    expect(await s.renewLeases('A', T + 50, 1000, [held.id, theirs.id, done.id, uuidv7()])).toBe(1);
    expect((await s.get(held.id))?.leaseExpiresAt).toBe(T + 1050);
    for (const t of [lost, theirs, done]) expect((await s.get(t.id))?.leaseExpiresAt).toBe(T + 100);
    expect(await s.renewLeases('A', T + 60, 1000, [])).toBe(0);
    // the lapsed one is claimed again; the held one is not
    expect(sortedIds(await claim(s, T + 500, { owner: 'C' }))).toEqual([lost.id, theirs.id].sort());
    await rejectsWithCode(s.renewLeases('A', T, 1000, 'x' as unknown as string[]), 'ERR_INVALID_ARGUMENT');
  });

  test('renewed leases are not reclaimable until they expire again', async (s) => {
    const mine = task({ status: 'in-progress', leaseOwner: 'A', leaseExpiresAt: T + 100, dueAt: T });
    const theirs = task({ status: 'in-progress', leaseOwner: 'B', leaseExpiresAt: T + 100, dueAt: T });
    await s.add([mine, theirs]);
    await s.renewLeases('A', T + 90, 1000);
    expect(ids(await claim(s, T + 500, { owner: 'C' }))).toEqual([theirs.id]);
    expect(await claim(s, T + 1089, { owner: 'C' })).toEqual([]);
    expect(ids(await claim(s, T + 1090, { owner: 'C' }))).toEqual([mine.id]);
  });
}

// ---- nextDueAt ---------------------------------------------------------------------------------

export function registerNextDueTests(test: Register): void {
  test('nextDueAt is undefined when nothing is pending', async (s) => {
    expect(await s.nextDueAt()).toBeUndefined();
    await s.add([task({ status: 'completed', dueAt: T }), task({ status: 'waiting', dueAt: null })]);
    expect(await s.nextDueAt()).toBeUndefined();
  });

  test('nextDueAt is the earliest due time of waiting and service-stopped tasks', async (s) => {
    await s.add([task({ dueAt: T + 500 }), task({ status: 'cancelled', dueAt: T + 1 }), task({ dueAt: T + 300 })]);
    expect(await s.nextDueAt()).toBe(T + 300);
    await s.add([task({ status: 'service-stopped', dueAt: T + 200 })]);
    expect(await s.nextDueAt()).toBe(T + 200);
  });

  test('nextDueAt includes lease expiries of queued and in-progress tasks', async (s) => {
    await s.add([task({ dueAt: T + 80 }), task({ status: 'in-progress', leaseOwner: 'w', leaseExpiresAt: T + 50, dueAt: T })]);
    expect(await s.nextDueAt()).toBe(T + 50);
    await s.add([task({ status: 'queued', leaseOwner: 'w', leaseExpiresAt: T + 40, dueAt: null })]);
    expect(await s.nextDueAt()).toBe(T + 40);
  });

  test('nextDueAt honours the queues filter', async (s) => {
    await s.add([
      task({ queue: 'q1', dueAt: T + 10 }),
      task({ queue: 'q2', dueAt: T + 20 }),
      task({ queue: 'q3', status: 'queued', leaseOwner: 'w', leaseExpiresAt: T + 5, dueAt: null }),
    ]);
    expect(await s.nextDueAt()).toBe(T + 5);
    expect(await s.nextDueAt(['q2'])).toBe(T + 20);
    expect(await s.nextDueAt(['q1', 'q2'])).toBe(T + 10);
    expect(await s.nextDueAt(['q2', 'q3'])).toBe(T + 5);
    expect(await s.nextDueAt(['none'])).toBeUndefined();
  });

  test('nextDueAt honours the task names filter, with or without queues', async (s) => {
    await s.add([
      task({ name: 'send-mail', dueAt: T + 10 }),
      task({ name: 'build-report', queue: 'q2', dueAt: T + 20 }),
      task({ name: 'resize-image', status: 'in-progress', leaseOwner: 'w', leaseExpiresAt: T + 5, dueAt: null }),
    ]);
    expect(await s.nextDueAt(undefined, ['send-mail', 'build-report'])).toBe(T + 10);
    expect(await s.nextDueAt(undefined, ['resize-image'])).toBe(T + 5);
    expect(await s.nextDueAt(['q2'], ['send-mail', 'build-report'])).toBe(T + 20);
    expect(await s.nextDueAt(['default'], ['build-report'])).toBeUndefined();
    expect(await s.nextDueAt(undefined, ['unknown'])).toBeUndefined();
    expect(await s.nextDueAt(undefined, [])).toBeUndefined();
  });
}
