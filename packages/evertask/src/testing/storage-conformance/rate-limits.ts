import { expect } from 'vitest';
import type { TestContext } from 'vitest';
import type { RateLimitIntrospection, RateLimitRequest, RateLimitStore } from '../../ports/rate-limit-store.js';
import { IDLE_BUDGET_AGE_MS, IDLE_BUDGETS_PER_BATCH, applyGcra } from '../../rate-limit/gcra.js';
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

/** The tracked budgets' keys, sorted. */
const trackedKeys = (status: RateLimitIntrospection) => status.keys.map((k) => k.key).sort();

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

  test('a reservation id twice in one batch: the later request sees what the earlier one booked or redeemed', async (s, context) => {
    const r = budgets(s, context);
    expect(await r.acquire([request('a', T), request('b', T), request('c', T), request('c', T)])).toEqual([ok(T), ok(T), parked(T + 250), parked(T + 250)]);
    // redeemed by the first, a new request for the second (parked after the budget's last slot)
    expect(await r.acquire([request('c', T + 300), request('c', T + 300)])).toEqual([ok(T + 250), parked(T + 500)]);
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

  test('an idle budget (TAT a minute past, no reservation, not startEmpty) is removed, and its key then decides as if it had been kept', async (s, context) => {
    const r = budgets(s, context);
    expect(await r.acquire([request('a', T), request('b', T), request('c', T), request('z', T, { key: 'beta' })])).toEqual([ok(T), ok(T), parked(T + 250), ok(T)]);
    expect(await r.acquire([request('c', T + 250)])).toEqual([ok(T + 250)]); // redeemed: acme holds no reservation
    // acme's TAT is T+750, beta's T+250: a batch on another key a minute after T+749 removes beta only
    const later = T + 750 + IDLE_BUDGET_AGE_MS;
    expect(await r.acquire([request('x', later - 1, { key: 'trigger' })])).toEqual([ok(later - 1)]);
    expect(trackedKeys(await r.introspect())).toEqual(['acme', 'trigger']);
    expect(await r.acquire([request('y', later, { key: 'trigger' })])).toEqual([ok(later)]);
    expect(await r.introspect()).toMatchObject({ trackedKeys: 1, reserved: 0 });
    expect(trackedKeys(await r.introspect())).toEqual(['trigger']);
    // what a store that kept acme's budget (TAT T+750) answers, step by step with the same arithmetic
    const next = [request('d', later + 5), request('e', later + 5), request('f', later + 5), request('g', later + 300)];
    let kept: number | undefined = T + 750;
    const expected = next.map((q) => {
      const outcome = applyGcra(q, kept, undefined);
      kept = outcome.tat;
      return outcome.decision;
    });
    expect(expected).toEqual([ok(later + 5), ok(later + 5), parked(later + 255), parked(later + 505)]);
    expect(await r.acquire(next)).toEqual(expected);
  });

  test('a startEmpty budget and a budget holding a reservation are kept however long they are idle', async (s, context) => {
    const r = budgets(s, context);
    const empty = { key: 'empty', startEmpty: true };
    expect(await r.acquire([request('a', T, empty)])).toEqual([ok(T)]);
    expect(await r.acquire([request('p1', T), request('p2', T), request('p3', T)])).toEqual([ok(T), ok(T), parked(T + 250)]);
    const far = T + 10 * IDLE_BUDGET_AGE_MS;
    expect(await r.acquire([request('x', far, { key: 'trigger' })])).toEqual([ok(far)]);
    expect(await r.acquire([request('y', far, { key: 'trigger' })])).toEqual([ok(far)]);
    expect(trackedKeys(await r.introspect())).toEqual(['acme', 'empty', 'trigger']);
    // the kept startEmpty budget has its burst back (a removed one would start empty: one start, then a wait)
    expect(await r.acquire([request('b', far, empty), request('c', far, empty)])).toEqual([ok(far), ok(far)]);
    // the parked task still redeems its slot
    expect(await r.acquire([request('p3', far)])).toEqual([ok(T + 250)]);
  });

  test('each batch removes a bounded number of idle budgets, and batches remove them all in turn', async (s, context) => {
    const r = budgets(s, context);
    const count = IDLE_BUDGETS_PER_BATCH + 50;
    const many = Array.from({ length: count }, (_, i) => request(`m${i}`, T, { key: `idle-${String(i).padStart(3, '0')}` }));
    expect((await r.acquire(many)).every((d) => d.acquired)).toBe(true);
    expect((await r.introspect()).trackedKeys).toBe(count);
    const at = T + 250 + IDLE_BUDGET_AGE_MS;
    await r.acquire([request('t0', at, { key: 'trigger' })]);
    let tracked = (await r.introspect()).trackedKeys;
    expect(tracked).toBeLessThan(count + 1);
    expect(tracked).toBeGreaterThanOrEqual(count + 1 - IDLE_BUDGETS_PER_BATCH);
    for (let i = 1; tracked > 1 && i <= count; i++) {
      await r.acquire([request(`t${i}`, at, { key: 'trigger' })]);
      tracked = (await r.introspect()).trackedKeys;
    }
    expect(trackedKeys(await r.introspect())).toEqual(['trigger']);
  });

  test('removing idle budgets never changes a decision: a seeded random run equals applyGcra on budgets never removed', async (s, context) => {
    const r = budgets(s, context);
    // mulberry32: the same run on every store
    let seed = 20_261_204;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    };
    const pick = <V>(values: readonly V[]): V => values[Math.floor(random() * values.length)] as V;
    const keys = ['k0', 'k1', 'k2', 'k3', 'k-empty'];
    const tats = new Map<string, number>();
    const reserved = new Map<string, number>();
    const parkedIds: string[] = [];
    let now = T;
    let ids = 0;
    let removals = 0;
    for (let step = 0; step < 60; step++) {
      now += pick([0, 40, 250, 700, IDLE_BUDGET_AGE_MS + 1000, 2 * IDLE_BUDGET_AGE_MS]);
      const batch: RateLimitRequest[] = [];
      for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
        const redeem = parkedIds.length > 0 && random() < 0.3;
        const key = pick(keys);
        const id = redeem ? (parkedIds.splice(Math.floor(random() * parkedIds.length), 1)[0] as string) : `q${++ids}`;
        // a redeemed id keeps the key it was booked on
        const bookedKey = redeem ? (id.split('@')[1] as string) : key;
        batch.push(request(redeem ? id : `${id}@${key}`, now, { key: bookedKey, startEmpty: bookedKey === 'k-empty', horizonMs: 2000 }));
      }
      const expected = batch.map((q) => {
        const outcome = applyGcra(q, tats.get(q.key), reserved.get(q.reservationId));
        tats.set(q.key, outcome.tat);
        if (outcome.redeemed) reserved.delete(q.reservationId);
        if (outcome.reserve !== undefined) {
          reserved.set(q.reservationId, outcome.reserve);
          parkedIds.push(q.reservationId);
        }
        return outcome.decision;
      });
      expect(await r.acquire(batch), `step ${step} at +${now - T} ms`).toEqual(expected);
      const tracked = (await r.introspect()).trackedKeys;
      if (tracked < new Set([...tats.keys()]).size) removals++;
    }
    // the run did remove budgets on the way (else it proves nothing)
    expect(removals).toBeGreaterThan(0);
  });
}
