import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  defineTask,
  EverTask,
  InvalidArgumentError,
  MemoryStorage,
  silentLogger,
  type EverTaskEvents,
  type RetentionOptions,
  type TaskStorage,
} from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { stopEnginesAfterEach, until } from './helpers.js';

const track = stopEnginesAfterEach();
const noop = defineTask({ name: 'noop', handler: () => undefined });
const T0 = Date.parse('2026-03-01T00:00:00Z');
const MINUTE = 60_000;

type RetentionRun = EverTaskEvents['retention:run'];

const EVERY_TEN_MINUTES: RetentionOptions = { completedTasks: '1h', interval: '10m' };

function engineOn(storage: TaskStorage, clock: ManualClock, instanceId: string, retention = EVERY_TEN_MINUTES) {
  const engine = track(new EverTask({ storage, clock, instanceId, tasks: [noop], logger: silentLogger, lease: '30s', retention }));
  const runs: RetentionRun[] = [];
  engine.on('retention:run', (run) => runs.push(run));
  return { engine, runs };
}

/** A storage without the optional instance registry (a minimal custom storage). */
function withoutRegistry(storage: MemoryStorage): TaskStorage {
  return new Proxy(storage, {
    get(target, key, receiver) {
      if (key === 'instances') return undefined; // the optional registry role, absent
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('retention', () => {
  it('applies the policy at start and then on every interval, counting the history that goes with a task', async () => {
    const clock = new ManualClock(T0);
    const { engine, runs } = engineOn(new MemoryStorage(), clock, 'engine-a');
    await engine.start();
    await until(() => runs.length === 1);
    expect(runs[0]).toEqual({ tasks: 0, audits: 0, logs: 0, policy: { completedBefore: T0 - 60 * MINUTE }, at: T0 });

    const done = engine.once('task:completed');
    const id = await engine.dispatch(noop, null);
    await done;
    const statusRows = (await engine.getTaskHistory(id)).statuses.length;
    expect(statusRows).toBeGreaterThan(0);

    for (let pass = 2; pass <= 7; pass++) {
      await clock.advance(10 * MINUTE);
      await until(() => runs.length === pass);
    }
    // T0 + 60 min: the task finished at T0 is exactly one hour old, and "older than" is strict
    expect(runs.map((run) => run.tasks)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(await engine.getTask(id)).toBeDefined();

    await clock.advance(10 * MINUTE);
    await until(() => runs.length === 8);
    expect(runs[7]).toEqual({ tasks: 1, audits: statusRows, logs: 0, policy: { completedBefore: T0 + 10 * MINUTE }, at: T0 + 70 * MINUTE });
    expect(await engine.getTask(id)).toBeUndefined();
  });

  it('runs on one engine of those sharing a storage: the alive one started first, ties by id', async () => {
    const clock = new ManualClock(T0);
    const storage = new MemoryStorage();
    const a = engineOn(storage, clock, 'engine-a');
    await a.engine.start();
    await until(() => a.runs.length === 1);
    await clock.advance(1000);
    const c = engineOn(storage, clock, 'engine-c');
    const b = engineOn(storage, clock, 'engine-b');
    await c.engine.start();
    await b.engine.start();

    for (let pass = 2; pass <= 3; pass++) {
      await clock.advance(10 * MINUTE);
      await until(() => a.runs.length === pass);
    }
    expect([b.runs.length, c.runs.length]).toEqual([0, 0]);

    // the runner stops: its record goes, and b (same start as c, smaller id) takes over at its next pass
    await a.engine.stop();
    await clock.advance(10 * MINUTE);
    await until(() => b.runs.length === 1);
    await clock.advance(10 * MINUTE);
    await until(() => b.runs.length === 2);
    expect(c.runs.length).toBe(0);
    expect(a.runs.length).toBe(3);
  });

  it('leaves the duty to an earlier instance while its record is alive, and takes it once the record expires', async () => {
    const clock = new ManualClock(T0);
    const storage = new MemoryStorage();
    await storage.open();
    // a peer that started first and then crashed: registered once, never refreshed
    await storage.instances.heartbeat({
      id: 'crashed',
      hostname: 'h',
      pid: 9,
      startedAt: T0 - MINUTE,
      heartbeatAt: T0,
      expiresAt: T0 + 30_000,
      queues: ['default'],
      taskNames: ['cleanup'],
    });
    const { engine, runs } = engineOn(storage, clock, 'engine-a', { completedTasks: '1d', interval: '20s' });
    const errors: unknown[] = [];
    engine.on('storage:error', (e) => errors.push(e));
    await engine.start();
    await clock.advance(20_000); // T0 + 20 s: the crashed record is still alive
    await clock.advance(20_000); // T0 + 40 s: it expired
    await until(() => runs.length === 1);
    expect(runs[0]?.at).toBe(T0 + 40_000);
    expect(errors).toEqual([]);
  });

  it('runs on every engine when the storage has no instance registry', async () => {
    const clock = new ManualClock(T0);
    const storage = withoutRegistry(new MemoryStorage());
    const a = engineOn(storage, clock, 'engine-a');
    const b = engineOn(storage, clock, 'engine-b');
    await a.engine.start();
    await b.engine.start();
    await until(() => a.runs.length === 1 && b.runs.length === 1);
  });

  it('reports a failed pass as a storage error and tries again at the next interval', async () => {
    const clock = new ManualClock(T0);
    const memory = new MemoryStorage();
    let failures = 1;
    // a storage fault in the first cleanup only
    const storage = new Proxy(memory, {
      get(target, key, receiver) {
        if (key === 'cleanup') {
          return (policy: Parameters<TaskStorage['cleanup']>[0]) => {
            if (failures-- > 0) return Promise.reject(new Error('disk on fire'));
            return target.cleanup(policy);
          };
        }
        const value = Reflect.get(target, key, receiver) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const { engine, runs } = engineOn(storage, clock, 'engine-a');
    const errors: EverTaskEvents['storage:error'][] = [];
    engine.on('storage:error', (e) => errors.push(e));
    await engine.start();
    await until(() => errors.length === 1);
    expect(errors[0]).toMatchObject({ operation: 'cleanup', willRetry: true, at: T0 });
    expect(errors[0]?.error.message).toBe('disk on fire');
    expect(runs).toEqual([]);
    await clock.advance(10 * MINUTE);
    await until(() => runs.length === 1);
  });

  it('stops with stop() and starts again with start()', async () => {
    const clock = new ManualClock(T0);
    const { engine, runs } = engineOn(new MemoryStorage(), clock, 'engine-a');
    await engine.start();
    await until(() => runs.length === 1);
    await engine.stop();
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(60 * MINUTE);
    expect(runs.length).toBe(1);
    await engine.start();
    await until(() => runs.length === 2);
    await clock.advance(10 * MINUTE);
    await until(() => runs.length === 3);
  });

  it('is off by default', async () => {
    const clock = new ManualClock(T0);
    const engine = track(new EverTask({ storage: new MemoryStorage(), clock, tasks: [noop], logger: silentLogger, lease: '1h' }));
    const runs: RetentionRun[] = [];
    engine.on('retention:run', (run) => runs.push(run));
    await engine.start();
    await clock.advance(24 * 60 * MINUTE);
    expect(runs).toEqual([]);
  });

  it('never keeps a process alive: a started engine with retention lets the process exit', async () => {
    const script = fileURLToPath(new URL('./fixtures/retention-child.ts', import.meta.url));
    const child = spawn(process.execPath, ['--conditions=evertask-source', '--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(output.trim()).toBe('retention ran');
    expect(code).toBe(0);
  });

  it('refuses bad retention options at construction', () => {
    const build = (retention: unknown) => () => new EverTask({ tasks: [noop], retention: retention as RetentionOptions });
    const refusals: [unknown, RegExp][] = [
      [null, /retention must be an object; received null/],
      ['7d', /retention must be an object/],
      [{}, /retention deletes nothing without an age: give at least one of completedTasks, failedTasks, audit, logs/],
      [{ interval: '1h' }, /retention deletes nothing without an age/],
      [{ audits: '30d' }, /Unknown retention key "audits" \(did you mean "audit"\?\)/],
      [{ completedTasks: 0 }, /retention.completedTasks must be a positive age such as '7d'; received 0\. Omit it/],
      [{ logs: '7 parsecs' }, /retention.logs "7 parsecs" is not a duration/],
      [{ failedTasks: -1 }, /retention.failedTasks must be a non-negative number of milliseconds; received -1/],
      [{ audit: 1e300 }, /retention.audit of 1e\+300 ms is longer than the longest duration/],
      [{ logs: '7d', interval: '10ms' }, /retention.interval must be at least 1s; received "10ms"/],
      [{ logs: '7d', interval: 'hourly' }, /retention.interval "hourly" is not a duration/],
    ];
    for (const [retention, message] of refusals) {
      expect(build(retention), JSON.stringify(retention)).toThrow(InvalidArgumentError);
      expect(build(retention), JSON.stringify(retention)).toThrow(message);
    }
    expect(build({ completedTasks: '7d', failedTasks: '30d', audit: '30d', logs: '7d', interval: '1s' })).not.toThrow();
  });
});
