import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  defineTask,
  DuplicateTaskError,
  EngineStateError,
  EverTask,
  InvalidArgumentError,
  InvalidPayloadError,
  MemoryStorage,
  silentLogger,
  StorageError,
  UnknownQueueError,
  UnknownTaskError,
  type TaskStorage,
} from '../../src/index.js';
import { ManualClock, settle } from '../../src/testing/index.js';
import { createEngine, waitForStatus, stopEnginesAfterEach } from './helpers.js';

const track = stopEnginesAfterEach(100);

describe('defineTask', () => {
  it('rejects bad definitions with errors naming the problem', () => {
    expect(() => defineTask({ name: '', handler: () => {} })).toThrow(/name/);
    expect(() => defineTask({ name: 'has space', handler: () => {} })).toThrow(InvalidArgumentError);
    expect(() => defineTask({ name: 'x', handler: 42 as never })).toThrow(/handler must be a function/);
    expect(() => defineTask({ name: 'x', handler: () => {}, timeout: -5 })).toThrow(/timeout/);
    expect(() => defineTask({ name: 'x', handler: () => {}, retry: {} as never })).toThrow(/retry/);
    expect(() => defineTask({ name: 'x', handler: () => {}, schema: {} as never })).toThrow(/Standard Schema/);
  });

  it('refuses two definitions with one name at construction', () => {
    const a = defineTask({ name: 'same', handler: () => {} });
    const b = defineTask({ name: 'same', handler: () => {} });
    expect(() => new EverTask({ tasks: [a, b], logger: silentLogger })).toThrow(DuplicateTaskError);
  });

  it('refuses a task whose queue is not configured', () => {
    const a = defineTask({ name: 'q', handler: () => {}, queue: 'emails' });
    expect(() => new EverTask({ tasks: [a], logger: silentLogger })).toThrow(/queue "emails"/);
  });

  it('types the payload from the handler and from the schema', async () => {
    const typed = defineTask({ name: 'typed', handler: async (p: { email: string }) => void p.email });
    const schemaTask = defineTask({ name: 'schema', schema: z.object({ n: z.number() }), handler: async (p) => void p.n.toFixed() });
    const engine = track(createEngine({ tasks: [typed, schemaTask] }));
    await engine.start();
    // @ts-expect-error wrong payload shape is a compile error
    await expect(engine.dispatch(typed, { mail: 'x' })).resolves.toBeTypeOf('string');
    // @ts-expect-error wrong payload type for the schema's input
    await expect(engine.dispatch(schemaTask, { n: 'one' })).rejects.toThrow(InvalidPayloadError);
    await expect(engine.dispatch(schemaTask, { n: 1 })).resolves.toBeTypeOf('string');
  });
});

describe('dispatch', () => {
  it('stores the task, runs it with its payload and returns a UUIDv7', async () => {
    const seen: unknown[] = [];
    const task = defineTask({ name: 'hello', handler: (p: { to: string }, ctx) => void seen.push([p, ctx.attempt, ctx.taskId]) });
    const engine = track(createEngine({ tasks: [task] }));
    await engine.start();
    const id = await engine.dispatch(task, { to: 'ada' });
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const info = await waitForStatus(engine, id, 'completed');
    expect(seen).toEqual([[{ to: 'ada' }, 1, id]]);
    expect(info).toMatchObject({ name: 'hello', payload: { to: 'ada' }, attempts: 1, error: null, queue: 'default', taskKey: null });
    expect(info.lastExecutionAt).toBeInstanceOf(Date);
  });

  it('emits dispatched, started and completed events in order', async () => {
    const task = defineTask({ name: 'ev', handler: () => {} });
    const engine = track(createEngine({ tasks: [task] }));
    const events: string[] = [];
    engine.on('task:dispatched', () => events.push('dispatched'));
    engine.on('task:started', () => events.push('started'));
    engine.on('task:completed', () => events.push('completed'));
    await engine.start();
    const done = engine.once('task:completed');
    await engine.dispatch(task, null);
    await done;
    expect(events).toEqual(['dispatched', 'started', 'completed']);
  });

  it('rejects bad calls with clear errors and stores nothing', async () => {
    const task = defineTask({ name: 'ok', handler: () => {}, schema: z.object({ user: z.object({ email: z.string().email() }) }) });
    const other = defineTask({ name: 'other', handler: () => {} });
    const storage = new MemoryStorage();
    const engine = track(new EverTask({ storage, tasks: [task], logger: silentLogger }));
    await expect(engine.dispatch(task, { user: { email: 'a@b.co' } })).rejects.toThrow(EngineStateError);
    await engine.start();
    const bad = await engine.dispatch(task, { user: { email: 'nope' } }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InvalidPayloadError);
    expect((bad as Error).message).toContain('"ok"');
    expect((bad as Error).message).toContain('user.email');
    await expect(engine.dispatch(other as never, {} as never)).rejects.toThrow(UnknownTaskError);
    await expect(engine.dispatch(task, { user: { email: 'a@b.co' } }, { queue: 'nope' })).rejects.toThrow(UnknownQueueError);
    await expect(engine.dispatch(task, { user: { email: 'a@b.co' } }, { delay: -1 })).rejects.toThrow(/delay/);
    await expect(engine.dispatch(task, { user: { email: 'a@b.co' } }, { delay: 'soon' })).rejects.toThrow(/delay/);
    await expect(engine.dispatch(task, { user: { email: 'a@b.co' } }, { runAt: new Date('nope') })).rejects.toThrow(/runAt/);
    await expect(engine.dispatch(task, { user: { email: 'a@b.co' } }, { delay: 1, runAt: new Date() })).rejects.toThrow(/either/);
    await expect(engine.dispatch(task, { user: { email: 'a@b.co' } }, { auditLevel: 'loud' as never })).rejects.toThrow(/auditLevel/);
    await expect(engine.dispatch(task, { user: { email: 'a@b.co' } }, { taskKey: 'k'.repeat(201) })).rejects.toThrow(/taskKey/);
    const { total } = await storage.query({});
    expect(total).toBe(0);
  });

  it('refuses payloads that JSON would mangle, naming the field', async () => {
    const task = defineTask({ name: 'raw', handler: (_p: unknown) => {} });
    const storage = new MemoryStorage();
    const engine = track(new EverTask({ storage, tasks: [task], logger: silentLogger }));
    await engine.start();
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const cases: [unknown, RegExp][] = [
      [{ fn: () => 1 }, /fn: functions/],
      [cyclic, /self: the payload contains a cycle/],
      [{ big: 10n }, /big: BigInt/],
      [{ list: [1, Number.NaN] }, /list\[1\]: NaN/],
      [{ m: new Map() }, /m: Map/],
      [{ s: Symbol('x') }, /s: symbols/],
    ];
    for (const [payload, message] of cases) {
      const error = await engine.dispatch(task, payload).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidPayloadError);
      expect((error as Error).message).toMatch(message);
    }
    expect((await storage.query({})).total).toBe(0);
  });

  it('wraps a storage failure in StorageError with the cause', async () => {
    const task = defineTask({ name: 't', handler: () => {} });
    const storage = new MemoryStorage();
    const cause = new Error('disk on fire');
    (storage as TaskStorage).add = async () => {
      throw cause;
    };
    const engine = track(new EverTask({ storage, tasks: [task], logger: silentLogger }));
    await engine.start();
    const error = await engine.dispatch(task, null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).cause).toBe(cause);
  });
});

describe('delayed and scheduled dispatch', () => {
  it('runs a delayed task at its time, not before', async () => {
    const clock = new ManualClock();
    let runs = 0;
    const task = defineTask({ name: 'later', handler: () => void runs++ });
    const engine = track(createEngine({ tasks: [task], clock }));
    await engine.start();
    const id = await engine.dispatch(task, null, { delay: '5m' });
    await clock.advance(299_999);
    expect(runs).toBe(0);
    expect((await engine.getTask(id))?.status).toBe('waiting');
    await clock.advance(1);
    await settle(20);
    expect(runs).toBe(1);
    expect((await engine.getTask(id))?.status).toBe('completed');
  });

  it('runs a runAt in the past immediately and a future one on time', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    const ran: string[] = [];
    const task = defineTask({ name: 'at', handler: (p: string) => void ran.push(p) });
    const engine = track(createEngine({ tasks: [task], clock }));
    await engine.start();
    await engine.dispatch(task, 'future', { runAt: new Date(Date.UTC(2026, 5, 1, 3)) });
    await engine.dispatch(task, 'past', { runAt: new Date(Date.UTC(2020, 0, 1)) });
    await settle(20);
    expect(ran).toEqual(['past']);
    await clock.set(Date.UTC(2026, 5, 1, 3));
    await settle(20);
    expect(ran).toEqual(['past', 'future']);
  });

  it('keeps one timer for many delayed tasks and fires them in due order', async () => {
    const clock = new ManualClock();
    const ran: number[] = [];
    const task = defineTask({ name: 'order', handler: (p: number) => void ran.push(p) });
    const engine = track(createEngine({ tasks: [task], clock, queues: { default: { concurrency: 1 } } }));
    await engine.start();
    const delays = [50, 10, 40, 20, 30];
    for (const d of delays) await engine.dispatch(task, d, { delay: d });
    // one scheduler timer, plus the engine's heartbeat (no sweep: MemoryStorage is single-process)
    expect(clock.pendingTimers).toBe(2);
    await clock.advance(100);
    await settle(30);
    expect(ran).toEqual([10, 20, 30, 40, 50]);
  });
});

describe('dispatchMany', () => {
  it('stores a batch and returns the ids in order; all run', async () => {
    let sum = 0;
    const task = defineTask({ name: 'many', handler: (p: { n: number }) => void (sum += p.n) });
    const engine = track(createEngine({ tasks: [task] }));
    await engine.start();
    const payloads = Array.from({ length: 2500 }, (_, i) => ({ n: i }));
    const ids = await engine.dispatchMany(task, payloads);
    expect(ids).toHaveLength(2500);
    expect([...ids].sort()).toEqual(ids);
    await waitForStatus(engine, ids.at(-1)!, 'completed');
    await waitForStatus(engine, ids[0]!, 'completed');
    const done = await engine.queryTasks({ statuses: ['completed'] }, { limit: 1 });
    expect(done.total).toBe(2500);
    expect(sum).toBe((2499 * 2500) / 2);
  });

  it('rejects the whole batch when one payload is bad, storing nothing', async () => {
    const task = defineTask({ name: 'strict', schema: z.object({ n: z.number() }), handler: () => {} });
    const storage = new MemoryStorage();
    const engine = track(new EverTask({ storage, tasks: [task], logger: silentLogger }));
    await engine.start();
    const error = await engine.dispatchMany(task, [{ n: 1 }, { n: 'x' as never }, { n: 3 }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidPayloadError);
    expect((error as Error).message).toContain('[1].n');
    expect((await storage.query({})).total).toBe(0);
  });
});

describe('keyed no-op dispatch', () => {
  it('logs a dispatch of a running key at debug, not as a warning', async () => {
    const lines: string[] = [];
    const logger = { debug: (m: string) => void lines.push(`debug ${m}`), info() {}, warn: (m: string) => void lines.push(`warn ${m}`), error: (m: string) => void lines.push(`error ${m}`) };
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const task = defineTask({ name: 'busy', handler: () => gate });
    const engine = track(createEngine({ tasks: [task], logger }));
    await engine.start();
    const started = engine.once('task:started');
    const id = await engine.dispatch(task, null, { taskKey: 'busy-1' });
    await started;
    expect(await engine.dispatch(task, null, { taskKey: 'busy-1' })).toBe(id);
    release();
    await waitForStatus(engine, id, 'completed');
    expect(lines.filter((l) => l.includes('busy-1'))).toEqual([expect.stringMatching(/^debug Task key "busy-1".*no-op/)]);
  });
});
