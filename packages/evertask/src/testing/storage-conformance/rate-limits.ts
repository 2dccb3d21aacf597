import { expect } from 'vitest';
import type { TestContext } from 'vitest';
import type { RateLimitRequest, RateLimitStore } from '../../ports/rate-limit-store.js';
import type { TaskStorage } from '../../ports/task-storage.js';
import { T, rejectsWithCode } from './fixtures.js';
import type { Register } from './fixtures.js';

// ---- rate-limit budgets ------------------------------------------------------------------------

function budgets(s: TaskStorage, context: TestContext): RateLimitStore {
  if (s.rateLimits === undefined) context.skip('the storage has no rate-limit store');
  return s.rateLimits;
}

/** 4 permits per second, burst 2: T = 250 ms, tau = 250 ms, horizon 1 s. */
function request(reservationId: string, now: number, overrides: Partial<RateLimitRequest> = {}): RateLimitRequest {
  return { policyKey: 'api-call', key: 'acme', reservationId, now, intervalMs: 250, toleranceMs: 250, horizonMs: 1000, startEmpty: false, ...overrides };
}

const ok = (slotAt: number) => ({ acquired: true, slotAt, rejected: false });
const parked = (slotAt: number) => ({ acquired: false, slotAt, rejected: false });
const rejected = (slotAt: number) => ({ acquired: false, slotAt, rejected: true });

export function registerRateLimitTests(test: Register): void {
  test('GCRA: the burst starts at once, then starts are spaced by T, each over-budget one booked at its slot', async (s, context) => {
    const r = budgets(s, context);
    expect(await r.acquire([request('a', T), request('b', T), request('c', T), request('d', T)])).toEqual([ok(T), ok(T), parked(T + 250), parked(T + 500)]);
    // the next booking follows the last one; a later request that conforms again starts at once
    expect(await r.acquire([request('e', T + 100)])).toEqual([parked(T + 750)]);
    expect(await r.acquire([request('f', T + 2000)])).toEqual([ok(T + 2000)]);
    expect(await r.acquire([request('g', T + 2000)])).toEqual([ok(T + 2000)]);
    expect(await r.acquire([request('h', T + 2000)])).toEqual([parked(T + 2250)]);
  });

  test('GCRA: a slot beyond the horizon is rejected and books nothing', async (s, context) => {
    const r = budgets(s, context);
    const batch = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => request(id, T));
    // slots T+250, +500, +750, +1000 are within the 1 s horizon; +1250 is not
    expect(await r.acquire(batch)).toEqual([ok(T), ok(T), parked(T + 250), parked(T + 500), parked(T + 750), parked(T + 1000), rejected(T + 1250)]);
    expect(await r.acquire([request('h', T)])).toEqual([rejected(T + 1250)]);
    expect(await r.acquire([request('i', T, { horizonMs: 0 })])).toEqual([rejected(T + 1250)]);
  });

  test('GCRA: a fresh key with startEmpty has no burst, and each key has its own budget', async (s, context) => {
    const r = budgets(s, context);
    const empty = { startEmpty: true, key: 'fresh' };
    expect(await r.acquire([request('a', T, empty), request('b', T, empty), request('c', T, empty)])).toEqual([ok(T), parked(T + 250), parked(T + 500)]);
    expect(await r.acquire([request('x', T, { key: 'other' }), request('y', T, { policyKey: 'other-task' })])).toEqual([ok(T), ok(T)]);
    // fractional intervals: 3 permits per second, burst 1 (T = 333.33…); slots are whole ms
    const third = { key: 'third', intervalMs: 1000 / 3, toleranceMs: 0 };
    expect(await r.acquire([request('p', T, third), request('q', T, third), request('r', T, third)])).toEqual([ok(T), parked(T + 334), parked(T + 667)]);
  });

  test('redemption is idempotent: the same id gets its slot back early and starts at it without new budget', async (s, context) => {
    const r = budgets(s, context);
    await r.acquire([request('a', T), request('b', T)]);
    expect(await r.acquire([request('c', T)])).toEqual([parked(T + 250)]);
    expect(await r.acquire([request('c', T + 100)])).toEqual([parked(T + 250)]);
    expect(await r.acquire([request('c', T + 100)])).toEqual([parked(T + 250)]);
    expect(await r.acquire([request('c', T + 300)])).toEqual([ok(T + 250)]);
    // redeemed: the budget did not move (the next new start still follows c's slot)
    expect(await r.acquire([request('d', T + 300)])).toEqual([parked(T + 500)]);
    expect((await r.introspect()).reserved).toBe(1);
  });

  test('release gives the slot back when it was the newest reservation of its key, else only drops it', async (s, context) => {
    const r = budgets(s, context);
    await r.acquire([request('a', T), request('b', T), request('c', T), request('d', T)]);
    await r.release('d'); // newest: T+500 is free again
    expect(await r.acquire([request('e', T)])).toEqual([parked(T + 500)]);
    await r.release('c'); // not the newest: e keeps T+500, the next one goes after it
    expect(await r.acquire([request('f', T)])).toEqual([parked(T + 750)]);
    await r.release('never-booked');
    // a released id is a new request again
    expect(await r.acquire([request('c', T)])).toEqual([parked(T + 1000)]);
  });

  test('introspect lists the tracked keys with their next slot and reservations', async (s, context) => {
    const r = budgets(s, context);
    expect(await r.introspect()).toEqual({ trackedKeys: 0, reserved: 0, keys: [] });
    await r.acquire([request('a', T), request('b', T), request('c', T), request('z', T, { key: 'zeta' })]);
    expect(await r.introspect()).toEqual({
      trackedKeys: 2,
      reserved: 1,
      keys: [
        { policyKey: 'api-call', key: 'zeta', nextSlotAt: T, reserved: 0 },
        { policyKey: 'api-call', key: 'acme', nextSlotAt: T + 500, reserved: 1 },
      ],
    });
    expect((await r.introspect(1)).keys).toHaveLength(1);
  });

  test('concurrent acquisitions on one key never hand out the same budget twice', async (s, context) => {
    const r = budgets(s, context);
    const one = { intervalMs: 100, toleranceMs: 0, horizonMs: 100_000 };
    const calls = Array.from({ length: 20 }, (_, i) => r.acquire([request(`t${i}`, T, one)]));
    const slots = (await Promise.all(calls)).map(([d]) => d?.slotAt).sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(slots).toEqual(Array.from({ length: 20 }, (_, i) => T + i * 100));
  });

  test('rejects malformed requests naming the field, and books nothing', async (s, context) => {
    const r = budgets(s, context);
    const bad: Partial<Record<keyof RateLimitRequest, unknown>>[] = [
      { policyKey: '' },
      { key: 'k'.repeat(257) },
      { reservationId: '' },
      { now: Number.NaN },
      { intervalMs: 0 },
      { toleranceMs: -1 },
      { horizonMs: Number.POSITIVE_INFINITY },
      { startEmpty: 'yes' },
    ];
    for (const overrides of bad) await rejectsWithCode(r.acquire([request('a', T, overrides as Partial<RateLimitRequest>)]), 'ERR_INVALID_ARGUMENT');
    await rejectsWithCode(r.acquire('nope' as unknown as RateLimitRequest[]), 'ERR_INVALID_ARGUMENT');
    await rejectsWithCode(r.release(''), 'ERR_INVALID_ARGUMENT');
    await rejectsWithCode(r.introspect(0), 'ERR_INVALID_ARGUMENT');
    expect(await r.introspect()).toEqual({ trackedKeys: 0, reserved: 0, keys: [] });
  });
}
