import { describe, expect, it } from 'vitest';
import { defineTask, EverTask, linearRetry, MemoryStorage, RateLimitedError, RateLimitRejectedError, silentLogger, type RateLimitStore, type TaskStorage } from '../../src/index.js';
import { resolveRateLimit } from '../../src/rate-limit/rate-limit-options.js';
import { LocalRateLimits } from '../../src/rate-limit/local-rate-limits.js';
import { IDLE_BUDGET_AGE_MS } from '../../src/rate-limit/gcra.js';
import { ManualClock, settle } from '../../src/testing/index.js';
import { createEngine, stopEnginesAfterEach } from './helpers.js';

const track = stopEnginesAfterEach();

/** Advances in steps so that every timer chain settles. */
async function advanceBy(clock: ManualClock, ms: number, step = 1000) {
  for (let t = 0; t < ms; t += step) {
    await clock.advance(Math.min(step, ms - t));
    await settle(20);
  }
}

/** `storage` with another rate-limit store in its `rateLimits` role. */
function withRateLimits(storage: MemoryStorage, rateLimits: RateLimitStore): TaskStorage {
  return new Proxy(storage, {
    get: (target, property) => {
      if (property === 'rateLimits') return rateLimits;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as TaskStorage;
}

describe('rate-limit options', () => {
  it('fills the defaults and computes T and tau', () => {
    expect(resolveRateLimit('t', { permits: 4, period: '1s' })).toMatchObject({ intervalMs: 250, toleranceMs: 750, periodMs: 1000, maxWaitMs: 3_600_000, startEmpty: false, onExceeded: 'wait', retries: true });
    expect(resolveRateLimit('t', { permits: 4, period: 1000, burst: 2, startEmpty: true, onExceeded: 'discard', retries: false })).toMatchObject({ toleranceMs: 250, startEmpty: true, onExceeded: 'discard', retries: false });
  });

  it('refuses bad values naming the option', () => {
    expect(() => resolveRateLimit('t', { permits: 0, period: 1000 })).toThrow(/permits/);
    expect(() => resolveRateLimit('t', { permits: 1, period: 0 })).toThrow(/period/);
    expect(() => resolveRateLimit('t', { permits: 1, period: 10, burst: 0 })).toThrow(/burst/);
    expect(() => resolveRateLimit('t', { permits: 1, period: 10, onExceeded: 'drop' as never })).toThrow(/onExceeded must be 'wait' or 'discard'; received "drop"/);
    expect(() => resolveRateLimit('t', { permits: 1, period: 10, startEmpty: 1 as never })).toThrow(/startEmpty must be true or false/);
    expect(() => resolveRateLimit('t', { permits: 1, period: 10, retries: 'no' as never })).toThrow(/retries must be true or false/);
    expect(() => resolveRateLimit('t', { permits: 1, period: 10, burts: 2 } as never)).toThrow(/burts/);
  });

  it('keeps RateLimitedError as the former name of RateLimitRejectedError', () => {
    expect(RateLimitedError).toBe(RateLimitRejectedError);
  });
});

describe('rate-limited tasks in the engine', () => {
  it('spaces starts per key without holding a worker, and fails tasks beyond maxWait', async () => {
    const clock = new ManualClock();
    const starts: [string, number][] = [];
    const limited = defineTask({
      name: 'api-call',
      rateLimit: { permits: 1, period: '1s', key: (p: { customer: string }) => p.customer, maxWait: '2500ms' },
      handler: (p: { customer: string }) => void starts.push([p.customer, clock.now() - t0]),
    });
    const free = defineTask({ name: 'free', handler: () => void starts.push(['free', clock.now() - t0]) });
    const engine = createEngine({ tasks: [limited, free], clock, queues: { default: { concurrency: 1 } } });
    track(engine);
    const t0 = clock.now();
    await engine.start();
    const limitedEvents: number[] = [];
    engine.on('task:rate-limited', (e) => limitedEvents.push(e.retryAt - t0));
    const ids: string[] = [];
    for (const c of ['a', 'a', 'b', 'a']) ids.push(await engine.dispatch(limited, { customer: c }));
    await engine.dispatch(free, null);
    await settle(30);
    // one worker: the parked tasks do not hold it, so b and the free task run at once
    expect(starts).toEqual([
      ['a', 0],
      ['b', 0],
      ['free', 0],
    ]);
    expect(limitedEvents).toEqual([1000, 2000]);
    // parked = waiting in the storage, due at the slot
    const parked = await engine.getTask(ids[1]!);
    expect([parked?.status, parked!.dueAt!.getTime() - t0]).toEqual(['waiting', 1000]);
    expect(await engine.rateLimitStatus()).toMatchObject({ shared: true, parked: 2, trackedKeys: 2, failOpenCount: 0 });
    await clock.advance(1000);
    await settle(20);
    await clock.advance(1000);
    await settle(20);
    expect(starts.slice(3)).toEqual([
      ['a', 1000],
      ['a', 2000],
    ]);
    expect((await engine.rateLimitStatus()).parked).toBe(0);
    const failed = engine.once('task:failed');
    for (let i = 0; i < 4; i++) await engine.dispatch(limited, { customer: 'z' });
    const event = await failed;
    expect(event.error).toBeInstanceOf(RateLimitRejectedError);
    expect((event.error as RateLimitRejectedError).reason).toBe('horizon');
    expect((await engine.getTask(event.taskId))?.status).toBe('failed');
  });

  it("fails an over-budget task at once with onExceeded: 'discard', calling onError", async () => {
    const clock = new ManualClock();
    const errors: Error[] = [];
    let ran = 0;
    const task = defineTask({ name: 'discarding', rateLimit: { permits: 1, period: '1m', onExceeded: 'discard' }, handler: () => void ran++, onError: (_ctx, e) => void errors.push(e) });
    const engine = track(createEngine({ tasks: [task], clock }));
    await engine.start();
    await engine.dispatch(task, null);
    const second = await engine.dispatch(task, null);
    await settle(30);
    expect(ran).toBe(1);
    expect((await engine.getTask(second))?.status).toBe('failed');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'ERR_RATE_LIMITED', reason: 'discard', slot: clock.now() + 60_000 });
    expect((await engine.rateLimitStatus()).parked).toBe(0);
  });

  it('cancels a parked task: it never runs and its slot goes to the next task', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const runs: [number, number][] = [];
    const task = defineTask({ name: 'slow-api', rateLimit: { permits: 1, period: '1s' }, handler: (n: number) => void runs.push([n, clock.now() - t0]) });
    const engine = track(createEngine({ tasks: [task], clock }));
    await engine.start();
    await engine.dispatch(task, 1);
    const parked = await engine.dispatch(task, 2);
    await settle(30);
    expect(await engine.cancel(parked)).toBe(true);
    expect((await engine.getTask(parked))?.status).toBe('cancelled');
    expect((await engine.rateLimitStatus()).parked).toBe(0);
    await engine.dispatch(task, 3);
    await advanceBy(clock, 3000);
    expect(runs).toEqual([
      [1, 0],
      [3, 1000],
    ]);
  });

  it('makes retries take budget again, unless retries: false', async () => {
    for (const retries of [true, false]) {
      const clock = new ManualClock();
      const t0 = clock.now();
      const attempts: number[] = [];
      const task = defineTask({
        name: 'flaky',
        retry: linearRetry(1, 0),
        rateLimit: { permits: 1, period: '10s', retries },
        handler: () => {
          attempts.push(clock.now() - t0);
          if (attempts.length === 1) throw new Error('first attempt fails');
        },
      });
      const engine = track(createEngine({ tasks: [task], clock }));
      await engine.start();
      const id = await engine.dispatch(task, null);
      await advanceBy(clock, 12_000);
      expect((await engine.getTask(id))?.status).toBe('completed');
      expect(attempts).toEqual(retries ? [0, 10_000] : [0, 0]);
      await engine.stop();
    }
  });

  it('runs the task unthrottled when its key selector throws, with a fail-open event and count', async () => {
    const clock = new ManualClock();
    let ran = 0;
    const task = defineTask({
      name: 'bad-key',
      rateLimit: { permits: 1, period: '1h', key: (p: { tenant?: string }) => p.tenant!.toUpperCase() },
      handler: () => void ran++,
    });
    const engine = track(createEngine({ tasks: [task], clock }));
    const events: number[] = [];
    engine.on('rate-limit:fail-open', (e) => events.push(e.failOpenCount));
    await engine.start();
    await engine.dispatch(task, {});
    await engine.dispatch(task, {});
    await settle(30);
    expect(ran).toBe(2);
    expect(events).toEqual([1, 2]);
    expect((await engine.rateLimitStatus()).failOpenCount).toBe(2);
  });

  it('runs the task when the storage limiter fails (fail-open)', async () => {
    const clock = new ManualClock();
    const storage = new MemoryStorage();
    const failing = { acquire: () => Promise.reject(new Error('limiter down')), release: () => Promise.resolve(), introspect: () => storage.rateLimits.introspect() };
    const broken = withRateLimits(storage, failing);
    let ran = 0;
    const task = defineTask({ name: 'api', rateLimit: { permits: 1, period: '1h' }, handler: () => void ran++ });
    const engine = track(new EverTask({ storage: broken, clock, tasks: [task], logger: silentLogger }));
    const failOpen = engine.once('rate-limit:fail-open');
    await engine.start();
    await engine.dispatch(task, null);
    expect((await failOpen).error.message).toBe('limiter down');
    await settle(20);
    expect(ran).toBe(1);
  });

  it('fails open for a new key once the in-process limiter tracks its maximum of keys', async () => {
    const limits = new LocalRateLimits(2);
    const request = (key: string, id: string) => ({ policyKey: 'p', key, reservationId: id, now: 0, intervalMs: 1000, toleranceMs: 0, horizonMs: 60_000, startEmpty: false });
    await limits.acquire([request('a', '1'), request('b', '2')]);
    await expect(limits.acquire([request('c', '3')])).rejects.toMatchObject({ code: 'ERR_RATE_LIMIT_KEYS' });
    // known keys keep their budgets
    expect(await limits.acquire([request('a', '4')])).toEqual([{ acquired: false, slotAt: 1000, rejected: false }]);

    const clock = new ManualClock();
    const storage = new MemoryStorage();
    const small = new LocalRateLimits(1);
    const capped = withRateLimits(storage, small);
    let ran = 0;
    const task = defineTask({ name: 'many-keys', rateLimit: { permits: 1, period: '1h', key: (p: string) => p }, handler: () => void ran++ });
    const engine = track(new EverTask({ storage: capped, clock, tasks: [task], logger: silentLogger }));
    const events: string[] = [];
    engine.on('rate-limit:fail-open', (e) => events.push(`${e.key}:${(e.error as { code?: string }).code}`));
    await engine.start();
    await engine.dispatch(task, 'first');
    await engine.dispatch(task, 'second');
    await settle(30);
    expect(ran).toBe(2);
    expect(events).toEqual(['second:ERR_RATE_LIMIT_KEYS']);
  });

  it('at its maximum of keys, idle budgets make room for a new key; only busy ones make it fail open', async () => {
    const limits = new LocalRateLimits(2);
    const request = (key: string, id: string, now: number) => ({ policyKey: 'p', key, reservationId: id, now, intervalMs: 1000, toleranceMs: 0, horizonMs: 60_000, startEmpty: false });
    await limits.acquire([request('a', '1', 0), request('b', '2', 0)]);
    // a and b have TAT 1000: a minute later they are idle and go, so c gets a budget
    const later = 1000 + IDLE_BUDGET_AGE_MS;
    await expect(limits.acquire([request('c', '3', later - 1)])).rejects.toMatchObject({ code: 'ERR_RATE_LIMIT_KEYS' });
    expect(await limits.acquire([request('c', '3', later)])).toEqual([{ acquired: true, slotAt: later, rejected: false }]);
    expect((await limits.introspect()).keys.map((k) => k.key)).toEqual(['c']);
  });

  it('takes a budget key longer than 256 characters as its SHA-256', async () => {
    const clock = new ManualClock();
    let ran = 0;
    const task = defineTask({ name: 'long-key', rateLimit: { permits: 1, period: '1h', key: (p: string) => p }, handler: () => void ran++ });
    const engine = track(createEngine({ tasks: [task], clock }));
    await engine.start();
    await engine.dispatch(task, 'x'.repeat(1000));
    await engine.dispatch(task, 'x'.repeat(1000));
    await settle(30);
    expect(ran).toBe(1);
    const status = await engine.rateLimitStatus();
    expect(status.keys.map((k) => k.key)).toEqual([expect.stringMatching(/^sha256:[0-9a-f]{64}$/)]);
  });
});

describe('rate-limited recurring tasks', () => {
  it('runs a deferred occurrence late, the series keeping its schedule', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const t0 = clock.now();
    const runs: [number, number][] = [];
    const task = defineTask({ name: 'poll', rateLimit: { permits: 1, period: '15s' }, handler: (_: null, ctx) => void runs.push([ctx.occurrence!.scheduledAt - t0, clock.now() - t0]) });
    const engine = track(new EverTask({ storage: new MemoryStorage(), clock, tasks: [task], logger: silentLogger }));
    await engine.start();
    await engine.dispatch(task, null, { recurring: (s) => s.every(10).seconds().maxRuns(3) });
    await advanceBy(clock, 60_000);
    // scheduled at 10 s, 20 s, 30 s; started at 10 s, then 25 s and 40 s (15 s apart)
    expect(runs).toEqual([
      [10_000, 10_000],
      [20_000, 25_000],
      [30_000, 40_000],
    ]);
  });

  it('skips an occurrence whose slot is beyond maxWait without counting it, and goes on after the slot', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const t0 = clock.now();
    const runs: number[] = [];
    const task = defineTask({ name: 'sync', rateLimit: { permits: 1, period: '1m', maxWait: '15s' }, handler: () => void runs.push(clock.now() - t0) });
    const engine = track(new EverTask({ storage: new MemoryStorage(), clock, tasks: [task], logger: silentLogger }));
    await engine.start();
    const id = await engine.dispatch(task, null, { recurring: (s) => s.every(10).seconds() });
    await advanceBy(clock, 85_000);
    // 10 s runs (next start conforms at 70 s); 20 s would wait 50 s > 15 s: skipped, next occurrence after 70 s
    expect(runs).toEqual([10_000, 80_000]);
    const info = await engine.getTask(id);
    expect(info?.recurring?.runCount).toBe(2);
    expect(info?.dueAt?.getTime()).toBe(t0 + 90_000);
  });

  it('skips an occurrence whose slot is at or past runUntil, ending the series when nothing is left', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const t0 = clock.now();
    const runs: number[] = [];
    const task = defineTask({ name: 'until', rateLimit: { permits: 1, period: '30s' }, handler: () => void runs.push(clock.now() - t0) });
    const engine = track(new EverTask({ storage: new MemoryStorage(), clock, tasks: [task], logger: silentLogger }));
    await engine.start();
    const id = await engine.dispatch(task, null, { recurring: (s) => s.every(10).seconds().runUntil(t0 + 65_000) });
    await advanceBy(clock, 120_000);
    expect(runs).toEqual([10_000, 40_000]);
    expect((await engine.getTask(id))?.status).toBe('completed');
    expect((await engine.rateLimitStatus()).parked).toBe(0);
  });
});
