import { describe, expect, it } from 'vitest';
import {
  defineTask,
  EverTask,
  exponentialRetry,
  linearRetry,
  MemoryStorage,
  noRetry,
  NonRetryableError,
  silentLogger,
  QueueFullError,
  TaskTimeoutError,
  type Logger,
} from '../../src/index.js';
import { ManualClock, settle } from '../../src/testing/index.js';
import { createEngine, deferred, until, waitForStatus, stopEnginesAfterEach } from './helpers.js';

const track = stopEnginesAfterEach(50);

class TransientError extends Error {}
class FatalError extends Error {}

describe('retries', () => {
  it('retries through the scheduler with a persisted attempt count and calls onRetry', async () => {
    const clock = new ManualClock();
    const attempts: number[] = [];
    const retries: [number, string, number][] = [];
    const task = defineTask({
      name: 'flaky',
      retry: linearRetry(3, [1000, 5000]),
      handler: (_: null, ctx) => {
        attempts.push(ctx.attempt);
        if (ctx.attempt < 3) throw new TransientError(`boom ${ctx.attempt}`);
      },
      onRetry: (_ctx, attempt, error, delay) => void retries.push([attempt, error.message, delay]),
    });
    const engine = track(createEngine({ tasks: [task], clock }));
    await engine.start();
    const id = await engine.dispatch(task, null);
    await settle(20);
    expect(attempts).toEqual([1]);
    let info = await engine.getTask(id);
    expect(info).toMatchObject({ status: 'waiting', attempts: 1 });
    expect(info?.error).toContain('boom 1');
    expect(info?.dueAt?.getTime()).toBe(clock.now() + 1000);
    await clock.advance(999);
    expect(attempts).toEqual([1]);
    await clock.advance(1);
    await settle(20);
    expect(attempts).toEqual([1, 2]);
    await clock.advance(5000);
    await settle(20);
    expect(attempts).toEqual([1, 2, 3]);
    info = await engine.getTask(id);
    expect(info).toMatchObject({ status: 'completed', attempts: 3, error: null });
    expect(retries).toEqual([
      [2, 'boom 1', 1000],
      [3, 'boom 2', 5000],
    ]);
  });

  it('does not hold a worker slot while waiting to retry', async () => {
    const clock = new ManualClock();
    const ran: string[] = [];
    const failing = defineTask({ name: 'fails-once', retry: linearRetry(1, '1h'), handler: (_: null, ctx) => {
      ran.push(`fail-${ctx.attempt}`);
      if (ctx.attempt === 1) throw new Error('first');
    } });
    const other = defineTask({ name: 'other', handler: () => void ran.push('other') });
    const engine = track(createEngine({ tasks: [failing, other], clock, queues: { default: { concurrency: 1 } } }));
    await engine.start();
    await engine.dispatch(failing, null);
    await settle(20);
    await engine.dispatch(other, null);
    await settle(20);
    expect(ran).toEqual(['fail-1', 'other']);
  });

  it('fails after the last attempt with the error text, calling onError once', async () => {
    const errors: string[] = [];
    const task = defineTask({
      name: 'always-fails',
      retry: linearRetry(2, 0),
      handler: () => {
        throw new Error('nope');
      },
      onError: (_ctx, e) => void errors.push(e.message),
    });
    const engine = track(createEngine({ tasks: [task] }));
    await engine.start();
    const failed = engine.once('task:failed');
    const id = await engine.dispatch(task, null);
    const event = await failed;
    expect(event.attempt).toBe(3);
    const info = await waitForStatus(engine, id, 'failed');
    expect(info.attempts).toBe(3);
    expect(info.error).toContain('Error: nope');
    expect(errors).toEqual(['nope']);
  });

  it('never retries a NonRetryableError and honours handle/doNotHandle/handleWhen', async () => {
    const counts = new Map<string, number>();
    const mk = (name: string, retry: ReturnType<typeof linearRetry>, error: () => Error) =>
      defineTask({
        name,
        retry,
        handler: () => {
          counts.set(name, (counts.get(name) ?? 0) + 1);
          throw error();
        },
      });
    const tasks = [
      mk('non-retryable', linearRetry(3, 0), () => new NonRetryableError('stop')),
      mk('handle-match', linearRetry(2, 0).handle(TransientError), () => new TransientError('t')),
      mk('handle-miss', linearRetry(2, 0).handle(TransientError), () => new FatalError('f')),
      mk('dont-handle', linearRetry(2, 0).doNotHandle(FatalError), () => new FatalError('f')),
      mk('when', linearRetry(2, 0).handleWhen((e) => (e as Error).message === 'again'), () => new Error('again')),
    ];
    const engine = track(createEngine({ tasks }));
    await engine.start();
    const ids = await Promise.all(tasks.map((t) => engine.dispatch(t, null)));
    for (const id of ids) await waitForStatus(engine, id, 'failed');
    expect(Object.fromEntries(counts)).toEqual({ 'non-retryable': 1, 'handle-match': 3, 'handle-miss': 1, 'dont-handle': 1, when: 3 });
    expect(() => linearRetry(1, 0).handle(TransientError).doNotHandle(FatalError)).toThrow(/both/);
  });

  it('computes exponential delays with a cap, and noRetry fails at once', () => {
    const p = exponentialRetry({ attempts: 7, base: 100, max: 1000, jitter: false });
    expect([2, 3, 4, 5, 6, 7].map((a) => p.delayBefore(a, new Error()))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(p.maxAttempts).toBe(7);
    expect(exponentialRetry().maxAttempts).toBe(5);
    expect(exponentialRetry({ attempts: 1 }).maxAttempts).toBe(1);
    expect(() => exponentialRetry({ attempts: 0 })).toThrow(/attempts in total.*≥ 1; received 0/);
    expect(() => exponentialRetry({ retries: 3 } as never)).toThrow(/Unknown exponentialRetry options key "retries"/);
    expect(linearRetry(3).maxAttempts).toBe(4);
    const full = exponentialRetry({ attempts: 3, base: 1000, jitter: true }, () => 0.5);
    expect(full.delayBefore(3, new Error())).toBe(1000);
    expect(noRetry().maxAttempts).toBe(1);
    expect(() => exponentialRetry({ base: 10, max: 5 })).toThrow(/max/);
    expect(() => linearRetry(-1)).toThrow(/retries must be a non-negative integer/);
  });

  it('exponentialRetry({ attempts: 4 }) runs the handler 4 times in all', async () => {
    const clock = new ManualClock();
    let runs = 0;
    const task = defineTask({
      name: 'four',
      retry: exponentialRetry({ attempts: 4, base: 10, jitter: false }),
      handler: () => {
        runs++;
        throw new Error(`run ${runs}`);
      },
    });
    const engine = track(createEngine({ tasks: [task], clock }));
    await engine.start();
    const id = await engine.dispatch(task, null);
    for (let i = 0; i < 10 && (await engine.getTask(id))?.status !== 'failed'; i++) {
      await settle(20);
      await clock.advance(100);
    }
    expect(await engine.getTask(id)).toMatchObject({ status: 'failed', attempts: 4 });
    expect(runs).toBe(4);
  });
});

describe('timeouts', () => {
  it('aborts ctx.signal and fails the attempt with TaskTimeoutError, retrying per policy', async () => {
    const clock = new ManualClock();
    const aborted: unknown[] = [];
    const task = defineTask({
      name: 'slow',
      timeout: '2s',
      retry: linearRetry(1, 0),
      handler: (_: null, ctx) =>
        new Promise<void>((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            aborted.push(ctx.signal.reason);
            reject(ctx.signal.reason);
          });
        }),
    });
    const engine = track(createEngine({ tasks: [task], clock }));
    await engine.start();
    const failed = engine.once('task:failed');
    const id = await engine.dispatch(task, null);
    await settle(10);
    await clock.advance(1999);
    expect(aborted).toHaveLength(0);
    await clock.advance(1);
    await settle(20);
    expect(aborted[0]).toBeInstanceOf(TaskTimeoutError);
    await clock.advance(2000);
    const event = await failed;
    expect(event.error).toBeInstanceOf(TaskTimeoutError);
    const info = await waitForStatus(engine, id, 'failed');
    expect(info.attempts).toBe(2);
    expect(info.error).toContain('timed out after 2000 ms');
  });

  it('moves on even when the handler ignores the signal; task, then queue, then default timeout', async () => {
    const clock = new ManualClock();
    const never = () => new Promise<void>(() => {});
    const own = defineTask({ name: 'own', timeout: 100, retry: noRetry(), queue: 'q', handler: never });
    const viaQueue = defineTask({ name: 'via-queue', retry: noRetry(), queue: 'q', handler: never });
    const viaDefault = defineTask({ name: 'via-default', retry: noRetry(), handler: never });
    const engine = track(
      createEngine({ tasks: [own, viaQueue, viaDefault], clock, queues: { q: { concurrency: 4, timeout: 200 } }, defaults: { timeout: 300 } }),
    );
    await engine.start();
    const ids = [await engine.dispatch(own, null), await engine.dispatch(viaQueue, null), await engine.dispatch(viaDefault, null)];
    await settle(10);
    const statusAt = async () => Promise.all(ids.map(async (id) => (await engine.getTask(id))?.status));
    await clock.advance(100);
    await settle(20);
    expect(await statusAt()).toEqual(['failed', 'in-progress', 'in-progress']);
    await clock.advance(100);
    await settle(20);
    expect(await statusAt()).toEqual(['failed', 'failed', 'in-progress']);
    await clock.advance(100);
    await settle(20);
    expect(await statusAt()).toEqual(['failed', 'failed', 'failed']);
  });
});

describe('timeouts counted from the call', () => {
  it('counts a handler\'s synchronous part before its first await', async () => {
    const manual = new ManualClock();
    let syncWorkMs = 0;
    // a clock whose time also moves while the handler's synchronous part runs
    const clock = {
      now: () => manual.now() + syncWorkMs,
      setTimer: (callback: () => void, ms: number) => manual.setTimer(callback, ms),
      clearTimer: (handle: unknown) => manual.clearTimer(handle),
    };
    const task = defineTask({
      name: 'busy-then-waits',
      timeout: 100,
      retry: noRetry(),
      handler: () => {
        syncWorkMs = 60; // 60 ms of synchronous work before the handler awaits
        return new Promise<void>(() => {});
      },
    });
    const engine = track(createEngine({ tasks: [task], clock }));
    await engine.start();
    const id = await engine.dispatch(task, null);
    await settle(10);
    expect((await engine.getTask(id))?.status).toBe('in-progress');
    await manual.advance(39); // 99 ms after the call
    await settle(10);
    expect((await engine.getTask(id))?.status).toBe('in-progress');
    await manual.advance(1); // 100 ms after the call
    const info = await waitForStatus(engine, id, 'failed');
    expect(info.error).toContain('timed out after 100 ms');
  });
});

describe('cancellation', () => {
  it('stops a waiting task from ever running', async () => {
    const clock = new ManualClock();
    let runs = 0;
    const task = defineTask({ name: 'c', handler: () => void runs++ });
    const engine = track(createEngine({ tasks: [task], clock }));
    await engine.start();
    const id = await engine.dispatch(task, null, { delay: 1000 });
    expect(await engine.cancel(id)).toBe(true);
    await clock.advance(5000);
    await settle(20);
    expect(runs).toBe(0);
    expect((await engine.getTask(id))?.status).toBe('cancelled');
  });

  it('aborts a running task, keeps it cancelled even if the handler completes, and calls onError', async () => {
    const started = deferred();
    const release = deferred();
    const onError: string[] = [];
    let sawAbort = false;
    const task = defineTask({
      name: 'running',
      handler: async (_: null, ctx) => {
        started.resolve();
        ctx.signal.addEventListener('abort', () => (sawAbort = true));
        await release.promise; // ignores the signal and "succeeds" later
      },
      onError: (_c, e) => void onError.push(e.name),
      onCompleted: () => void onError.push('completed?!'),
    });
    const engine = track(createEngine({ tasks: [task] }));
    await engine.start();
    const id = await engine.dispatch(task, null);
    await started.promise;
    expect(await engine.cancel(id)).toBe(true);
    expect(sawAbort).toBe(true);
    release.resolve();
    await new Promise((r) => setTimeout(r, 20));
    expect((await engine.getTask(id))?.status).toBe('cancelled');
    expect(onError).toEqual(['TaskCancelledError']);
  });

  it('reports nothing to cancel for finished or unknown tasks and never overwrites them', async () => {
    const task = defineTask({ name: 'done', handler: () => {} });
    const engine = track(createEngine({ tasks: [task] }));
    await engine.start();
    const id = await engine.dispatch(task, null);
    await waitForStatus(engine, id, 'completed');
    expect(await engine.cancel(id)).toBe(false);
    expect((await engine.getTask(id))?.status).toBe('completed');
    expect(await engine.cancel('0190a0a0-0000-7000-8000-000000000000')).toBe(false);
    await expect(engine.cancel('' as string)).rejects.toThrow(/task id/);
  });
});

describe('lifecycle hooks', () => {
  it('runs onStarted then onCompleted; a throwing hook is reported and changes nothing', async () => {
    const order: string[] = [];
    const task = defineTask({
      name: 'hooks',
      handler: () => void order.push('handler'),
      onStarted: () => {
        order.push('started');
        throw new Error('hook broke');
      },
      onCompleted: (ctx) => void order.push(`completed:${String(ctx.payload)}`),
    });
    const engine = track(createEngine({ tasks: [task] }));
    await engine.start();
    const hookErrors: string[] = [];
    engine.on('hook:error', (e) => hookErrors.push(`${e.hook}:${e.error.message}`));
    const id = await engine.dispatch(task, 'p' as never);
    await waitForStatus(engine, id, 'completed');
    await until(() => order.length === 3);
    expect(order).toEqual(['started', 'handler', 'completed:p']);
    expect(hookErrors).toEqual(['onStarted:hook broke']);
  });
});

describe('queues', () => {
  it('never runs more handlers at once than the queue concurrency', async () => {
    let active = 0;
    let peak = 0;
    const task = defineTask({
      name: 'conc',
      queue: 'limited',
      handler: async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 2));
        active--;
      },
    });
    const engine = track(createEngine({ tasks: [task], queues: { limited: { concurrency: 3 } } }));
    await engine.start();
    const ids = await Promise.all(Array.from({ length: 30 }, () => engine.dispatch(task, null)));
    for (const id of ids) await waitForStatus(engine, id, 'completed');
    expect(peak).toBe(3);
  });

  it("whenFull 'throw' rejects with QueueFullError and stores nothing, so a retried dispatch makes no duplicate", async () => {
    const gate = deferred();
    const ran: number[] = [];
    const task = defineTask({ name: 'full', queue: 'tiny', handler: async (n: number) => {
      await gate.promise;
      ran.push(n);
    } });
    const storage = new MemoryStorage();
    const engine = track(createEngine({ storage, tasks: [task], queues: { tiny: { concurrency: 1, capacity: 1, whenFull: 'throw' } } }));
    await engine.start();
    const firstStarted = engine.once('task:started');
    await engine.dispatch(task, 1); // running
    await firstStarted;
    await engine.dispatch(task, 2); // buffered
    const error = await engine.dispatch(task, 3).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueFullError);
    expect(error).toMatchObject({ code: 'ERR_QUEUE_FULL', queue: 'tiny' });
    expect((error as Error).message).toMatch(/not stored/);
    expect((await storage.query({}, { limit: 10 })).total).toBe(2);
    gate.resolve();
    const retried = await until(() => engine.stats().find((q) => q.queue === 'tiny')?.buffered === 0).then(() => engine.dispatch(task, 3));
    await waitForStatus(engine, retried, 'completed');
    expect(ran.sort()).toEqual([1, 2, 3]);
    expect((await storage.query({}, { limit: 10 })).total).toBe(3);
  });

  it("whenFull 'fallback' runs the task on the default queue; 'wait' holds dispatch until there is room", async () => {
    const gate = deferred();
    const queuesSeen: string[] = [];
    const fb = defineTask({ name: 'fb', queue: 'fbq', handler: async (_: null, ctx) => {
      queuesSeen.push(ctx.queue);
      await gate.promise;
    } });
    const wt = defineTask({ name: 'wt', queue: 'wq', handler: async () => gate.promise });
    const engine = track(
      createEngine({ tasks: [fb, wt], queues: { fbq: { concurrency: 1, capacity: 1, whenFull: 'fallback' }, wq: { concurrency: 1, capacity: 1, whenFull: 'wait' } } }),
    );
    await engine.start();
    await engine.dispatch(fb, null);
    await until(() => queuesSeen.length === 1);
    await engine.dispatch(fb, null);
    const fallbackId = await engine.dispatch(fb, null);
    await until(() => queuesSeen.length === 2);
    expect(queuesSeen).toEqual(['fbq', 'default']);
    expect((await engine.getTask(fallbackId))?.queue).toBe('default');

    const wtStarted = engine.once('task:started', (e) => e.taskName === 'wt');
    await engine.dispatch(wt, null);
    await wtStarted;
    await engine.dispatch(wt, null);
    let third: string | undefined;
    const pending = engine.dispatch(wt, null).then((id) => (third = id));
    await new Promise((r) => setTimeout(r, 20));
    expect(third).toBeUndefined();
    gate.resolve();
    await pending;
    expect(third).toBeTypeOf('string');
  });

  it('validates queue options', () => {
    const t = defineTask({ name: 'v', handler: () => {} });
    expect(() => new EverTask({ tasks: [t], queues: { q: { concurrency: 0 } }, logger: silentLogger })).toThrow(/queues.q.concurrency/);
    expect(() => new EverTask({ tasks: [t], queues: { q: { whenFull: 'drop' as never } }, logger: silentLogger })).toThrow(/whenFull/);
    expect(() => new EverTask({ tasks: [t], queues: { 'bad name': {} }, logger: silentLogger })).toThrow(/Queue name/);
  });
});

describe('task keys', () => {
  it('updates a waiting task in place, no-ops while running, replaces a finished one', async () => {
    const clock = new ManualClock();
    const gate = deferred();
    const seen: string[] = [];
    const task = defineTask({ name: 'keyed', handler: async (p: string) => {
      seen.push(p);
      if (p === 'block') await gate.promise;
    } });
    const engine = track(createEngine({ tasks: [task], clock }));
    await engine.start();
    const a = await engine.dispatch(task, 'v1', { taskKey: 'k', delay: 1000 });
    const b = await engine.dispatch(task, 'v2', { taskKey: 'k', delay: 2000 });
    expect(b).toBe(a);
    const info = await engine.getTask(a);
    expect(info?.payload).toBe('v2');
    expect(info?.dueAt?.getTime()).toBe(clock.now() + 2000);
    await clock.advance(2000);
    await settle(20);
    expect(seen).toEqual(['v2']);
    const c = await engine.dispatch(task, 'block', { taskKey: 'k' });
    expect(c).not.toBe(a);
    expect(await engine.getTask(a)).toBeUndefined();
    await settle(20);
    const d = await engine.dispatch(task, 'ignored', { taskKey: 'k' });
    expect(d).toBe(c);
    gate.resolve();
    await settle(20);
    expect(seen).toEqual(['v2', 'block']);
  });

  it('gives two concurrent dispatches with one key one task', async () => {
    const task = defineTask({ name: 'race', handler: () => {} });
    const storage = new MemoryStorage();
    const engine = track(createEngine({ tasks: [task], storage }));
    await engine.start();
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => engine.dispatch(task, null, { taskKey: 'same', delay: 1000 + i })));
    expect(new Set(ids).size).toBe(1);
    expect((await storage.query({ taskKey: 'same' })).total).toBe(1);
  });

  it('two engines sharing a storage resolve one key to one task', async () => {
    const task = defineTask({ name: 'race2', handler: () => {} });
    const storage = new MemoryStorage();
    const e1 = track(createEngine({ tasks: [task], storage }));
    const e2 = track(createEngine({ tasks: [task], storage }));
    await e1.start();
    await e2.start();
    const ids = await Promise.all([e1, e2, e1, e2].map((e) => e.dispatch(task, null, { taskKey: 'shared', delay: 60_000 })));
    expect(new Set(ids).size).toBe(1);
  });
});

describe('audit levels', () => {
  it('records status changes per level', async () => {
    const storage = new MemoryStorage();
    const ok = defineTask({ name: 'ok', handler: () => {} });
    const bad = defineTask({ name: 'bad', retry: noRetry(), handler: () => {
      throw new Error('x');
    } });
    const engine = track(createEngine({ tasks: [ok, bad], storage }));
    await engine.start();
    const statuses = async (id: string) => (await storage.getStatusAudit(id)).map((a) => a.status);
    const run = async (task: typeof ok, level: 'full' | 'minimal' | 'errors-only' | 'none', end: 'completed' | 'failed') => {
      const id = await engine.dispatch(task, null, { auditLevel: level });
      await waitForStatus(engine, id, end);
      await new Promise((r) => setTimeout(r, 2));
      return statuses(id);
    };
    expect(await run(ok, 'full', 'completed')).toEqual(['queued', 'in-progress', 'completed']);
    expect(await run(ok, 'minimal', 'completed')).toEqual([]);
    expect(await run(bad, 'minimal', 'failed')).toEqual(['failed']);
    expect(await run(bad, 'errors-only', 'failed')).toEqual(['failed']);
    expect(await run(bad, 'none', 'failed')).toEqual([]);
    const id = await engine.dispatch(bad, null);
    await waitForStatus(engine, id, 'failed');
    const rows = await storage.getStatusAudit(id);
    expect(rows.at(-1)?.error).toContain('Error: x');
  });
});

describe('execution logs', () => {
  it('forwards to the app logger and, past the cap, keeps the head and the tail with a marker between (the final error survives)', async () => {
    const storage = new MemoryStorage();
    const appLines: string[] = [];
    const logger: Logger = { debug: (m) => appLines.push(`debug ${m}`), info: (m) => appLines.push(`info ${m}`), warn: (m) => appLines.push(`warn ${m}`), error: (m) => appLines.push(`error ${m}`) };
    const task = defineTask({
      name: 'logs',
      handler: (_: null, ctx) => {
        ctx.logger.debug('hidden from capture');
        ctx.logger.information('Sent {count} mails to {user}', 3, 'ada');
        ctx.logger.error('failed {what}', 'x', new Error('inner'));
        for (let i = 0; i < 5; i++) ctx.logger.warning('w{i}', i);
        ctx.logger.error('giving up after {n} tries', 5, new Error('final'));
      },
    });
    const engine = track(new EverTask({ storage, tasks: [task], logger, defaults: { logs: { enabled: true, minLevel: 'information', maxPerTask: 4 } } }));
    await engine.start();
    const id = await engine.dispatch(task, null);
    await waitForStatus(engine, id, 'completed');
    await new Promise((r) => setTimeout(r, 5));
    expect(appLines).toContain('info Sent 3 mails to ada');
    expect(appLines).toContain('debug hidden from capture');
    const logs = await storage.getExecutionLogs(id);
    expect(logs.map((l) => [l.level, l.message])).toEqual([
      ['information', 'Sent 3 mails to ada'],
      ['error', 'failed x'],
      ['warning', '[EverTask] 4 log entries cut here: maxPerTask (4) reached; the first 2 and the last 2 are kept'],
      ['warning', 'w4'],
      ['error', 'giving up after 5 tries'],
    ]);
    expect(logs[1]?.exception).toContain('inner');
    expect(logs[4]?.exception).toContain('final');
    // the marker takes the place of the first cut entry (w0, sequence 2)
    expect(logs.map((l) => l.sequence)).toEqual([0, 1, 2, 6, 7]);
  });
});

describe('graceful stop', () => {
  it('lets running tasks finish, aborts late ones as service-stopped, and a new engine runs them again', async () => {
    const storage = new MemoryStorage();
    const quickDone = deferred();
    let secondRun = 0;
    const quick = defineTask({ name: 'quick', handler: async () => {
      await new Promise((r) => setTimeout(r, 20));
      quickDone.resolve();
    } });
    const stubborn = defineTask({ name: 'stubborn', handler: async (_: null, ctx) => {
      if (secondRun++ > 0) return;
      await new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
    } });
    const engine = new EverTask({ storage, tasks: [quick, stubborn], logger: silentLogger });
    await engine.start();
    let started = 0;
    engine.on('task:started', () => void started++);
    const q = await engine.dispatch(quick, null);
    const s = await engine.dispatch(stubborn, null);
    await until(() => started === 2);
    await engine.stop({ timeout: 100 });
    expect((await engine.getTask(q))?.status).toBe('completed');
    expect((await engine.getTask(s))?.status).toBe('service-stopped');
    await expect(engine.dispatch(quick, null)).rejects.toThrow(/stopped/);
    const again = track(new EverTask({ storage, tasks: [quick, stubborn], logger: silentLogger }));
    await again.start();
    await waitForStatus(again, s, 'completed');
    expect(secondRun).toBe(2);
  });

  it('start() after stop() on the same engine takes work again: stopped, handed-back, delayed and new tasks run', async () => {
    const storage = new MemoryStorage();
    const ran: number[] = [];
    let hold = true;
    const job = defineTask({ name: 'job', handler: async (p: { i: number }, ctx) => {
      ran.push(p.i);
      if (hold) await new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
    } });
    const engine = track(new EverTask({ storage, tasks: [job], logger: silentLogger, queues: { default: { concurrency: 1 } } }));
    await engine.start();
    const [a, b] = await engine.dispatchMany(job, [{ i: 0 }, { i: 1 }]);
    const later = await engine.dispatch(job, { i: 2 }, { delay: 100 });
    await waitForStatus(engine, a as string, 'in-progress');
    await engine.stop({ timeout: 10 });
    expect((await engine.getTask(a as string))?.status).toBe('service-stopped');
    expect((await engine.getTask(b as string))?.status).toBe('waiting');
    hold = false;
    await engine.start();
    await waitForStatus(engine, a as string, 'completed');
    await waitForStatus(engine, b as string, 'completed');
    await waitForStatus(engine, later, 'completed');
    const next = await engine.dispatch(job, { i: 3 });
    await waitForStatus(engine, next, 'completed');
    expect(ran.sort()).toEqual([0, 0, 1, 2, 3]);
  });
});
