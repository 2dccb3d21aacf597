import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from 'evertask';
import { T0, makeTask } from '../helpers.js';
import { useFreshStorage } from '../fresh-storage.js';

describe('SQLite queries: claims and leases', () => {
  const fixture = useFreshStorage();

  it('claimDue takes due and lease-expired tasks, earliest first, and never twice', async () => {
    const { storage } = fixture;
    const due1 = makeTask({ dueAt: T0 + 10 });
    const due0 = makeTask({ dueAt: T0 + 5, status: 'service-stopped' });
    const future = makeTask({ dueAt: T0 + 10_000 });
    const expired = makeTask({ status: 'in-progress', leaseOwner: 'dead', leaseExpiresAt: T0 + 7, dueAt: null });
    const live = makeTask({ status: 'queued', leaseOwner: 'alive', leaseExpiresAt: T0 + 10_000 });
    const done = makeTask({ status: 'completed', dueAt: T0 });
    const otherQueue = makeTask({ queue: 'mail', dueAt: T0 + 1 });
    await storage.add([due1, due0, future, expired, live, done, otherQueue]);

    const first = await storage.claimDue({ owner: 'me', now: T0 + 100, limit: 3, leaseMs: 500, queues: ['default'] });
    expect(first.map((t) => t.id)).toEqual([due0.id, expired.id, due1.id]);
    for (const t of first) {
      expect(t).toMatchObject({ status: 'queued', leaseOwner: 'me', leaseExpiresAt: T0 + 600, updatedAt: T0 + 100 });
    }
    expect(await storage.claimDue({ owner: 'other', now: T0 + 100, limit: 10, leaseMs: 500, queues: ['default'] })).toEqual([]);
    const rest = await storage.claimDue({ owner: 'other', now: T0 + 100, limit: 10, leaseMs: 500 });
    expect(rest.map((t) => t.id)).toEqual([otherQueue.id]);
    expect(await storage.claimDue({ owner: 'x', now: T0 + 100, limit: 10, leaseMs: 500, queues: [] })).toEqual([]);
    expect(await storage.claimDue({ owner: 'x', now: T0 + 100, limit: 0, leaseMs: 500 })).toEqual([]);
    await expect(storage.claimDue({ owner: '', now: T0, limit: 1, leaseMs: 5 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(storage.claimDue({ owner: 'a', now: T0, limit: 1, leaseMs: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('renewLeases extends the leases of one owner; nextDueAt sees due times and lease expiries', async () => {
    const { storage } = fixture;
    expect(await storage.nextDueAt()).toBeUndefined();
    const a = makeTask({ status: 'queued', leaseOwner: 'me', leaseExpiresAt: T0 + 50 });
    const b = makeTask({ status: 'in-progress', leaseOwner: 'me', leaseExpiresAt: T0 + 60 });
    const c = makeTask({ status: 'queued', leaseOwner: 'you', leaseExpiresAt: T0 + 70, queue: 'q2' });
    const w = makeTask({ dueAt: T0 + 80, queue: 'q3' });
    await storage.add([a, b, c, w]);
    expect(await storage.nextDueAt()).toBe(T0 + 50);
    expect(await storage.renewLeases('me', T0 + 10, 1000)).toBe(2);
    expect((await storage.get(a.id))?.leaseExpiresAt).toBe(T0 + 1010);
    expect((await storage.get(c.id))?.leaseExpiresAt).toBe(T0 + 70);
    expect(await storage.nextDueAt()).toBe(T0 + 70);
    expect(await storage.nextDueAt(['q3'])).toBe(T0 + 80);
    expect(await storage.nextDueAt(['nothing'])).toBeUndefined();
    expect(await storage.nextDueAt([])).toBeUndefined();
    expect(await storage.renewLeases('nobody', T0, 10)).toBe(0);
  });
});
