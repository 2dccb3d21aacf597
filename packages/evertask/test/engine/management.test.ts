import { describe, expect, it } from 'vitest';
import { defineTask, linearRetry, MemoryStorage, noRetry, type Logger } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { createEngine, deferred, stopEnginesAfterEach, until, waitForStatus } from './helpers.js';

const track = stopEnginesAfterEach();
const T0 = Date.UTC(2026, 0, 1);
const MISSING = '0190a0a0-0000-7000-8000-000000000000';

function recordingLogger(): Logger & { infos: string[] } {
  const infos: string[] = [];
  return { infos, debug() {}, info: (message) => void infos.push(message), warn() {}, error() {} };
}

describe('runNow', () => {
  it('makes a delayed task due now and records who asked', async () => {
    const clock = new ManualClock(T0);
    const ran: number[] = [];
    const later = defineTask({ name: 'later', handler: () => void ran.push(clock.now()) });
    const engine = track(createEngine({ tasks: [later], clock }));
    await engine.start();
    const id = await engine.dispatch(later, null, { delay: '1h' });
    expect(await engine.runNow(id, { actor: 'alice' })).toBe(true);
    await waitForStatus(engine, id, 'completed');
    expect(ran).toEqual([T0]);
    const history = await engine.storage.getStatusAudit(id);
    expect(history.map((row) => [row.status, row.actor])).toEqual([
      ['waiting', null],
      ['waiting', 'alice'],
      ['in-progress', null],
      ['completed', null],
    ]);
    expect((await engine.getTaskHistory(id)).statuses[1]).toMatchObject({ status: 'waiting', actor: 'alice' });
  });

  it('runs the next occurrence of a recurring series now; the series keeps its schedule', async () => {
    const clock = new ManualClock(T0);
    const ran: number[] = [];
    const hourly = defineTask({ name: 'hourly', handler: () => void ran.push(clock.now()) });
    const engine = track(createEngine({ tasks: [hourly], clock }));
    await engine.start();
    const id = await engine.dispatch(hourly, null, { recurring: (s) => s.every(1).hours() });
    const planned = (await engine.storage.get(id))?.dueAt as number;
    expect(planned).toBeGreaterThan(T0);
    const finished = engine.once('task:completed', (e) => e.taskId === id);
    expect(await engine.runNow(id, { actor: 'ops' })).toBe(true);
    await finished;
    await waitForStatus(engine, id, 'waiting');
    expect(ran).toEqual([T0]);
    expect((await engine.getTask(id))?.recurring?.runCount).toBe(1);
    // the occurrence that ran now was the planned one: the next is the one after it
    expect((await engine.storage.get(id))?.dueAt).toBe(planned + 3_600_000);
  });

  it('brings a task waiting for its retry forward, attempts kept', async () => {
    const clock = new ManualClock(T0);
    let calls = 0;
    const flaky = defineTask({
      name: 'flaky',
      retry: linearRetry(1, '1h'),
      handler: () => {
        calls++;
        if (calls === 1) throw new Error('first attempt fails');
      },
    });
    const engine = track(createEngine({ tasks: [flaky], clock }));
    await engine.start();
    const id = await engine.dispatch(flaky, null);
    await until(() => calls === 1);
    const waiting = await waitForStatus(engine, id, 'waiting');
    expect(waiting.attempts).toBe(1);
    expect(await engine.runNow(id)).toBe(true);
    await waitForStatus(engine, id, 'completed');
    expect(calls).toBe(2);
  });

  it('is false for an unknown, running or finished task, and rejects a bad id or actor', async () => {
    const gate = deferred();
    const started = deferred();
    const slow = defineTask({
      name: 'slow',
      handler: async () => {
        started.resolve();
        await gate.promise;
      },
    });
    const engine = track(createEngine({ tasks: [slow] }));
    await engine.start();
    const id = await engine.dispatch(slow, null);
    await started.promise;
    expect(await engine.runNow(id)).toBe(false);
    gate.resolve();
    await waitForStatus(engine, id, 'completed');
    expect(await engine.runNow(id)).toBe(false);
    expect(await engine.runNow(MISSING)).toBe(false);
    await expect(engine.runNow('nope')).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(engine.runNow(id, { actor: '' })).rejects.toThrow(/actor/);
    await expect(engine.runNow(id, { actr: 'x' } as never)).rejects.toThrow(/did you mean "actor"/);
  });
});

describe('retry', () => {
  it('runs a failed task again from attempt 0; its error stays in the history', async () => {
    let fail = true;
    const attempts: number[] = [];
    const job = defineTask({
      name: 'job',
      retry: noRetry(),
      handler: (_: null, ctx) => {
        attempts.push(ctx.attempt);
        if (fail) throw new Error('boom');
      },
    });
    const engine = track(createEngine({ tasks: [job] }));
    await engine.start();
    const id = await engine.dispatch(job, null);
    const failed = await waitForStatus(engine, id, 'failed');
    expect(failed.error).toMatch(/boom/);
    fail = false;
    expect(await engine.retry(id, { actor: 'bob' })).toBe(true);
    const done = await waitForStatus(engine, id, 'completed');
    expect(done.error).toBeNull();
    expect(attempts).toEqual([1, 1]);
    const history = await engine.storage.getStatusAudit(id);
    const failedRow = history.find((row) => row.status === 'failed');
    expect(failedRow?.error).toMatch(/boom/);
    expect(history.filter((row) => row.actor === 'bob').map((row) => row.status)).toEqual(['waiting']);
    expect(await engine.retry(id)).toBe(false);
    expect(await engine.retry(MISSING)).toBe(false);
  });
});

describe('deleteTask', () => {
  it('deletes a finished task with its history and logs who did it; refuses an active one', async () => {
    const logger = recordingLogger();
    const gate = deferred();
    const quick = defineTask({ name: 'quick', handler: () => {} });
    const held = defineTask({ name: 'held', handler: () => gate.promise });
    const engine = track(createEngine({ tasks: [quick, held], logger }));
    await engine.start();
    const id = await engine.dispatch(quick, null);
    await waitForStatus(engine, id, 'completed');
    const busy = await engine.dispatch(held, null);
    await waitForStatus(engine, busy, 'in-progress');
    expect(await engine.deleteTask(busy, { actor: 'carol' })).toBe(false);
    expect(await engine.deleteTask(id, { actor: 'carol' })).toBe(true);
    expect(await engine.getTask(id)).toBeUndefined();
    expect(await engine.storage.getStatusAudit(id)).toEqual([]);
    expect(logger.infos.some((line) => line.includes('carol deleted task') && line.includes(id))).toBe(true);
    expect(await engine.deleteTask(id)).toBe(false);
    gate.resolve();
  });
});

describe('cancel with an actor', () => {
  it('records the actor on the cancelled row', async () => {
    const later = defineTask({ name: 'later', handler: () => {} });
    const engine = track(createEngine({ tasks: [later], defaults: { auditLevel: 'minimal' } }));
    await engine.start();
    const id = await engine.dispatch(later, null, { delay: '1h' });
    expect(await engine.cancel(id, { actor: 'dave' })).toBe(true);
    // an operator's action is recorded even at the minimal audit level
    expect((await engine.storage.getStatusAudit(id)).map((row) => [row.status, row.actor])).toEqual([['cancelled', 'dave']]);
  });
});

describe('pauseQueue and resumeQueue', () => {
  it('a task dispatched to a paused queue stays waiting until the queue is resumed', async () => {
    const ran: string[] = [];
    const mail = defineTask({ name: 'mail', queue: 'mail', handler: (to: string) => void ran.push(to) });
    const other = defineTask({ name: 'other', handler: (to: string) => void ran.push(to) });
    const engine = track(createEngine({ tasks: [mail, other], queues: { mail: { concurrency: 1 } } }));
    await engine.start();
    expect(await engine.pauseQueue('mail', { actor: 'erin' })).toBe(true);
    expect(await engine.pauseQueue('mail')).toBe(false);
    const [paused] = await engine.pausedQueues();
    expect(paused).toMatchObject({ queue: 'mail', pausedBy: 'erin' });
    expect(paused?.pausedAt).toBeInstanceOf(Date);
    const held = await engine.dispatch(mail, 'held');
    const free = await engine.dispatch(other, 'free');
    await waitForStatus(engine, free, 'completed');
    expect((await engine.getTask(held))?.status).toBe('waiting');
    expect(ran).toEqual(['free']);
    expect(await engine.resumeQueue('mail', { actor: 'erin' })).toBe(true);
    await waitForStatus(engine, held, 'completed');
    expect(await engine.pausedQueues()).toEqual([]);
    expect(await engine.resumeQueue('mail')).toBe(false);
  });

  it('hands back the buffered tasks of a queue paused here; the running one finishes', async () => {
    const gate = deferred();
    const started: number[] = [];
    const job = defineTask({
      name: 'job',
      queue: 'work',
      handler: async (n: number) => {
        started.push(n);
        await gate.promise;
      },
    });
    const engine = track(createEngine({ tasks: [job], queues: { work: { concurrency: 1 } } }));
    await engine.start();
    const ids = await engine.dispatchMany(job, [1, 2, 3]);
    await until(() => started.length === 1);
    await engine.pauseQueue('work');
    await until(() => engine.stats().find((q) => q.queue === 'work')?.buffered === 0);
    await waitForStatus(engine, ids[1] as string, 'waiting');
    gate.resolve();
    await waitForStatus(engine, ids[0] as string, 'completed');
    expect((await engine.getTask(ids[1] as string))?.status).toBe('waiting');
    expect(started).toEqual([1]);
    await engine.resumeQueue('work');
    await waitForStatus(engine, ids[2] as string, 'completed');
    expect(started.sort()).toEqual([1, 2, 3]);
  });

  it('pausing in one engine stops the other engine sharing the storage from claiming that queue', async () => {
    const storage = new MemoryStorage();
    const clock = new ManualClock(T0);
    const ran: string[] = [];
    const mail = defineTask({ name: 'mail', queue: 'mail', handler: (to: string) => void ran.push(to) });
    const sms = defineTask({ name: 'sms', queue: 'sms', handler: (to: string) => void ran.push(to) });
    const options = { tasks: [mail, sms], storage, clock, queues: { mail: {}, sms: {} } };
    const a = track(createEngine({ ...options, instanceId: 'engine-a' }));
    const b = track(createEngine({ ...options, instanceId: 'engine-b' }));
    await a.start();
    await b.start();
    expect(await a.pauseQueue('mail', { actor: 'frank' })).toBe(true);
    const held = await b.dispatch(mail, 'held', { delay: '1s' });
    const free = await b.dispatch(sms, 'free', { delay: '1s' });
    await clock.advance(2000);
    // the claim round that ran the sms task left the paused queue's task alone
    await waitForStatus(b, free, 'completed');
    expect((await b.getTask(held))?.status).toBe('waiting');
    expect(await b.pausedQueues()).toMatchObject([{ queue: 'mail', pausedBy: 'frank' }]);
    expect(await a.resumeQueue('mail')).toBe(true);
    await waitForStatus(b, held, 'completed');
    expect(ran).toEqual(['free', 'held']);
  });

  it('rejects bad queue names and options', async () => {
    const engine = track(createEngine({ tasks: [defineTask({ name: 'n', handler: () => {} })] }));
    await engine.start();
    await expect(engine.pauseQueue('')).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(engine.pauseQueue('bad name!')).rejects.toThrow(/Queue name/);
    await expect(engine.resumeQueue(42 as never)).rejects.toThrow(/queue name/);
    await expect(engine.pauseQueue('ok', { actor: 5 } as never)).rejects.toThrow(/actor/);
    expect(await engine.pausedQueues()).toEqual([]);
  });
});
