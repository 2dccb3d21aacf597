import { describe, expect, it } from 'vitest';
import { defineTask, RateLimitedError } from '../../src/index.js';
import { KeyedRateLimiter, resolveRateLimit } from '../../src/rate-limit/keyed-rate-limiter.js';
import { ManualClock, settle } from '../../src/testing/index.js';
import { createEngine, stopEnginesAfterEach } from './helpers.js';

const track = stopEnginesAfterEach();

describe('KeyedRateLimiter (GCRA)', () => {
  it('allows the burst, then spaces starts by period/permits, and redeems reservations once', () => {
    const limiter = new KeyedRateLimiter();
    const limit = resolveRateLimit('t', { permits: 4, period: 1000, burst: 2 });
    const t0 = 1_000_000;
    expect(limiter.acquire('k', 'a', limit, t0)).toEqual({ ok: true });
    expect(limiter.acquire('k', 'b', limit, t0)).toEqual({ ok: true });
    expect(limiter.acquire('k', 'c', limit, t0)).toEqual({ ok: false, retryAt: t0 + 250, rejected: false });
    expect(limiter.acquire('k', 'd', limit, t0)).toEqual({ ok: false, retryAt: t0 + 500, rejected: false });
    // c comes back early: same slot; on time: runs without new budget
    expect(limiter.acquire('k', 'c', limit, t0 + 100)).toEqual({ ok: false, retryAt: t0 + 250, rejected: false });
    expect(limiter.acquire('k', 'c', limit, t0 + 250)).toEqual({ ok: true });
    // another key has its own budget
    expect(limiter.acquire('other', 'e', limit, t0)).toEqual({ ok: true });
  });

  it('rejects a slot beyond maxWait and validates options', () => {
    const limiter = new KeyedRateLimiter();
    const limit = resolveRateLimit('t', { permits: 1, period: '1h', maxWait: '30m' });
    expect(limiter.acquire('k', 'a', limit, 0)).toEqual({ ok: true });
    expect(limiter.acquire('k', 'b', limit, 0)).toMatchObject({ ok: false, rejected: true });
    expect(() => resolveRateLimit('t', { permits: 0, period: 1000 })).toThrow(/permits/);
    expect(() => resolveRateLimit('t', { permits: 1, period: 0 })).toThrow(/period/);
    expect(() => resolveRateLimit('t', { permits: 1, period: 10, burst: 0 })).toThrow(/burst/);
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
    for (const c of ['a', 'a', 'b', 'a']) await engine.dispatch(limited, { customer: c });
    await engine.dispatch(free, null);
    await settle(30);
    expect(starts).toEqual([
      ['a', 0],
      ['b', 0],
      ['free', 0],
    ]);
    expect(limitedEvents).toEqual([1000, 2000]);
    await clock.advance(1000);
    await settle(20);
    await clock.advance(1000);
    await settle(20);
    expect(starts.slice(3)).toEqual([
      ['a', 1000],
      ['a', 2000],
    ]);
    const failed = engine.once('task:failed');
    for (let i = 0; i < 4; i++) await engine.dispatch(limited, { customer: 'z' });
    const event = await failed;
    expect(event.error).toBeInstanceOf(RateLimitedError);
    expect((await engine.getTask(event.taskId))?.status).toBe('failed');
  });
});
