import { expect, it } from 'vitest';
import { describeWithPostgres, makeTask, useStorage } from '../pg-test-helpers.js';

const describePg = await describeWithPostgres();

describePg('PostgresStorage claims', () => {
  const fixture = useStorage(import.meta.url);

  it('claims due tasks and expired leases earliest first, renews and reports the next due time', async () => {
    const now = 1_700_000_100_000;
    const late = makeTask({ dueAt: now - 10 });
    const early = makeTask({ dueAt: now - 1000 });
    const future = makeTask({ dueAt: now + 5000 });
    const stopped = makeTask({ status: 'service-stopped', dueAt: now - 500 });
    const lapsed = makeTask({ status: 'in-progress', leaseOwner: 'dead', leaseExpiresAt: now - 1, dueAt: now - 100 });
    const held = makeTask({ status: 'queued', leaseOwner: 'alive', leaseExpiresAt: now + 2000, dueAt: now - 2000 });
    const done = makeTask({ status: 'completed', dueAt: now - 5000 });
    const other = makeTask({ dueAt: now - 3000, queue: 'other' });
    await fixture.storage.add([late, early, future, stopped, lapsed, held, done, other]);

    expect(await fixture.storage.nextDueAt()).toBe(now - 3000);
    expect(await fixture.storage.nextDueAt(['default'])).toBe(now - 1000);
    expect(await fixture.storage.nextDueAt(['nope'])).toBeUndefined();

    const claimed = await fixture.storage.claimDue({ owner: 'me', now, limit: 3, leaseMs: 30_000, queues: ['default'] });
    expect(claimed.map((t) => t.id)).toEqual([early.id, stopped.id, lapsed.id]);
    for (const t of claimed) {
      expect(t).toMatchObject({ status: 'queued', leaseOwner: 'me', leaseExpiresAt: now + 30_000 });
    }
    const rest = await fixture.storage.claimDue({ owner: 'me', now, limit: 10, leaseMs: 30_000 });
    expect(rest.map((t) => t.id)).toEqual([other.id, late.id]);
    expect(await fixture.storage.claimDue({ owner: 'me', now, limit: 10, leaseMs: 30_000 })).toEqual([]);

    expect(await fixture.storage.renewLeases('me', now + 10_000, 30_000)).toBe(5);
    expect((await fixture.storage.get(early.id))?.leaseExpiresAt).toBe(now + 40_000);
    expect(await fixture.storage.renewLeases('nobody', now, 30_000)).toBe(0);
    expect(await fixture.storage.nextDueAt()).toBe(now + 2000);
  });
});
