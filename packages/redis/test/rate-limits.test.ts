import { afterAll, afterEach, expect, it } from 'vitest';
import type { RateLimitRequest } from 'evertask';
import type { RedisStorage } from '../src/index.js';
import { RESERVATION_GRACE_MS } from '../src/queries/rate-limits.js';
import { adminClient, describeWithRedis, storagesOnOwnPrefixes } from './redis-test-helpers.js';

const describeRedis = await describeWithRedis();
/** The caller's clock, far from the server's: every time the scripts use is this one. */
const T = Date.UTC(2031, 5, 1);

/** 4 permits per second, burst 2: T = 250 ms, tau = 250 ms. */
function request(reservationId: string, now: number): RateLimitRequest {
  return { policyKey: 'api-call', key: 'acme', reservationId, now, intervalMs: 250, toleranceMs: 250, horizonMs: 10_000, startEmpty: false };
}

describeRedis('RedisStorage rate-limit keys', () => {
  const admin = adminClient();
  const storages = storagesOnOwnPrefixes('rate-limits');
  const open = (): Promise<RedisStorage> => storages.open();

  afterEach(() => storages.cleanup());
  afterAll(() => admin.disconnect());

  it('gives a reservation a TTL past its slot, one period and the grace, and forgets it once the caller passes that', async () => {
    const storage = await open();
    const r = storage.rateLimits;
    await r.acquire([request('a', T), request('b', T)]);
    expect(await r.acquire([request('c', T)])).toEqual([{ acquired: false, slotAt: T + 250, rejected: false }]);
    const ttl = await admin.pttl(`{${storage.prefix}}:rl:res:c`);
    // slot − now + interval + tolerance + grace, counted from the caller's now
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(250 + 250 + 250 + RESERVATION_GRACE_MS);
    expect((await r.introspect()).reserved).toBe(1);
    // the caller's clock passes the retention: the next acquisition drops the reservation, and c
    // comes back as a new request that conforms (the budget is long refilled)
    const later = T + 750 + RESERVATION_GRACE_MS + 1;
    expect(await r.acquire([request('d', later)])).toEqual([{ acquired: true, slotAt: later, rejected: false }]);
    expect(await admin.exists(`{${storage.prefix}}:rl:res:c`)).toBe(0);
    expect((await r.introspect()).reserved).toBe(0);
    expect(await r.acquire([request('c', later)])).toEqual([{ acquired: true, slotAt: later, rejected: false }]);
  });

  it('takes a batch of 1,200 distinct budgets in one script, each starting at once and tracked', async () => {
    const storage = await open();
    const batch = Array.from({ length: 1200 }, (_, i) => ({ ...request(`t${i}`, T), key: `k${i}` }));
    const decisions = await storage.rateLimits.acquire(batch);
    expect(decisions.every((d) => d.acquired && d.slotAt === T)).toBe(true);
    expect((await storage.rateLimits.introspect()).trackedKeys).toBe(1200);
    expect(await storage.rateLimits.acquire([request('again', T), { ...request('k1199-again', T), key: 'k1199' }])).toEqual([
      { acquired: true, slotAt: T, rejected: false },
      { acquired: true, slotAt: T, rejected: false },
    ]);
  });

  it('reads a budget changed outside EverTask as a clear error naming it', async () => {
    const storage = await open();
    await storage.rateLimits.acquire([request('a', T)]);
    await admin.hset(`{${storage.prefix}}:rl:tat`, JSON.stringify(['api-call', 'acme']), 'soon');
    await expect(storage.rateLimits.acquire([request('b', T)])).rejects.toThrow(/TAT of \["api-call","acme"\] is soon/);
    await admin.zadd(`{${storage.prefix}}:rl:keys`, 0, 'not json');
    await expect(storage.rateLimits.introspect()).rejects.toThrow(/budget id \(not json\) is not JSON/);
  });
});
