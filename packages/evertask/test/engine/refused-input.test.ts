import { describe, expect, it } from 'vitest';
import {
  defineTask,
  EverTask,
  InvalidArgumentError,
  InvalidPayloadError,
  InvalidScheduleError,
  MemoryStorage,
  silentLogger,
  type Logger,
} from '../../src/index.js';
import { createEngine, stopEnginesAfterEach, waitForStatus } from './helpers.js';

const track = stopEnginesAfterEach(100);
const noop = defineTask({ name: 'noop', handler: () => {} });

describe('a refused call changes no state', () => {
  it('stop() with a bad timeout throws and leaves the engine running', async () => {
    const engine = track(createEngine({ tasks: [noop] }));
    await engine.start();
    await expect(engine.stop({ timeout: '5 parsecs' })).rejects.toThrow(/stop timeout "5 parsecs"/);
    await expect(engine.stop({ closeStorage: 'yes' as never })).rejects.toThrow(/closeStorage/);
    await expect(engine.stop({ timout: 5 } as never)).rejects.toThrow(/"timout" \(did you mean "timeout"\?\)/);
    const id = await engine.dispatch(noop, null);
    await waitForStatus(engine, id, 'completed');
    await engine.stop({ timeout: 100 });
    await engine.start();
    await waitForStatus(engine, await engine.dispatch(noop, null), 'completed');
  });
});

describe('event subscriptions', () => {
  it('refuses an unknown event name or a listener that is not a function', () => {
    const engine = createEngine({ tasks: [noop] });
    expect(() => engine.on('task:complete' as never, () => {})).toThrow(/unknown event "task:complete"; events are: task:dispatched/);
    expect(() => engine.on('task:completed', 'log' as never)).toThrow(/takes a function/);
    expect(() => engine.once('task:done' as never)).toThrow(/unknown event/);
  });
});

describe('silent coercions are refused', () => {
  it('refuses an undefined payload, and undefined in an array, naming the fix; stores nothing', async () => {
    const storage = new MemoryStorage();
    const loose = defineTask({ name: 'loose', handler: (_p: unknown) => {} });
    const engine = track(createEngine({ storage, tasks: [loose] }));
    await engine.start();
    await expect(engine.dispatch(loose, undefined)).rejects.toThrow(InvalidPayloadError);
    await expect(engine.dispatch(loose, undefined)).rejects.toThrow(/pass null/);
    await expect(engine.dispatch(loose, { list: [1, undefined] })).rejects.toThrow(/list\[1\].*use null/);
    await expect(engine.dispatchMany(loose, [1, undefined])).rejects.toThrow(/\[1\]/);
    expect((await storage.query({})).total).toBe(0);
    // an undefined object property is omitted and reads back as undefined: accepted
    const id = await engine.dispatch(loose, { a: 1, b: undefined });
    expect((await engine.getTask(id))?.payload).toEqual({ a: 1 });
  });

  it("refuses taskKey '' and a blank key instead of dispatching without a key", async () => {
    const storage = new MemoryStorage();
    const engine = track(createEngine({ storage, tasks: [noop] }));
    await engine.start();
    for (const taskKey of ['', '   ']) {
      await expect(engine.dispatch(noop, null, { taskKey, delay: 1000 })).rejects.toThrow(/taskKey must be a non-blank string/);
    }
    await expect(engine.dispatch(noop, null, { taskKey: 42 as never })).rejects.toThrow(InvalidArgumentError);
    expect((await storage.query({})).total).toBe(0);
  });

  it('refuses unknown engine, queue, defaults and log options, naming the key and the valid ones', () => {
    const make = (options: object) => () => new EverTask({ tasks: [noop], logger: silentLogger, ...options } as never);
    expect(make({ queus: {} })).toThrow(/Unknown EverTask options key "queus" \(did you mean "queues"\?\); valid keys are: storage, tasks, queues/);
    expect(make({ queues: { mail: { concurency: 2 } } })).toThrow(/queues\.mail key "concurency" \(did you mean "concurrency"\?\)/);
    expect(make({ defaults: { retries: 2 } })).toThrow(/defaults key "retries"/);
    expect(make({ defaults: { logs: { enable: true } } })).toThrow(/defaults\.logs key "enable" \(did you mean "enabled"\?\)/);
    expect(make({ defaults: { logs: { enabled: 'yes' } } })).toThrow(/defaults\.logs\.enabled must be true or false/);
    expect(make({ queues: { mail: null } })).not.toThrow();
  });

  it('refuses unknown task options at defineTask', () => {
    expect(() => defineTask({ name: 'typo', handler: () => {}, queus: 'x' } as never)).toThrow(/"queus" \(did you mean "queue"\?\)/);
    expect(() => defineTask({ name: 'typo', handler: () => {}, rateLimit: { permits: 1, period: '1s', burts: 2 } } as never)).toThrow(
      /rateLimit key "burts" \(did you mean "burst"\?\)/,
    );
  });

  it('refuses unknown dispatch and dispatchMany options, storing nothing', async () => {
    const storage = new MemoryStorage();
    const engine = track(createEngine({ storage, tasks: [noop] }));
    await engine.start();
    await expect(engine.dispatch(noop, null, { dealy: 5 } as never)).rejects.toThrow(/Unknown dispatch options key "dealy" \(did you mean "delay"\?\)/);
    await expect(engine.dispatchMany(noop, [null], { queu: 'default' } as never)).rejects.toThrow(/dispatchMany options key "queu"/);
    await expect(engine.dispatch(noop, null, 'soon' as never)).rejects.toThrow(/dispatch options must be an object/);
    expect((await storage.query({})).total).toBe(0);
  });
});

describe('the application logger is checked at construction', () => {
  it('refuses a logger without one of debug, info, warn and error, naming the missing ones', () => {
    const partial = { debug() {}, info() {}, error() {} } as unknown as Logger;
    expect(() => createEngine({ tasks: [noop], logger: partial })).toThrow(/logger" lacks warn/);
    expect(() => createEngine({ tasks: [noop], logger: { warn() {} } as unknown as Logger })).toThrow(/lacks debug, info, error/);
    expect(() => createEngine({ tasks: [noop], logger: 'console' as unknown as Logger })).toThrow(/must be an object/);
  });

  it('accepts console and class-based loggers whose methods use `this`', async () => {
    class Prefixed {
      readonly lines: string[] = [];
      debug(message: string) { this.lines.push(`debug ${message}`); }
      info(message: string) { this.lines.push(`info ${message}`); }
      warn(message: string) { this.lines.push(`warn ${message}`); }
      error(message: string) { this.lines.push(`error ${message}`); }
    }
    expect(() => createEngine({ tasks: [noop], logger: console })).not.toThrow();
    const logger = new Prefixed();
    const logging = defineTask({ name: 'logging', handler: (_p: null, ctx) => ctx.logger.warn('careful') });
    const engine = track(createEngine({ tasks: [logging], logger }));
    await engine.start();
    await waitForStatus(engine, await engine.dispatch(logging, null), 'completed');
    expect(logger.lines).toContain('warn careful');
  });
});

describe('durations and instants are bounded to what every storage holds', () => {
  it('refuses an absurd delay, runAt or duration option with one error naming the option; stores nothing', async () => {
    const storage = new MemoryStorage();
    const engine = track(createEngine({ storage, tasks: [noop] }));
    await engine.start();
    await expect(engine.dispatch(noop, null, { delay: 1e300 })).rejects.toThrow(/delay of 1e\+300 ms is longer than the longest duration/);
    await expect(engine.dispatch(noop, null, { delay: '100000w' })).rejects.toThrow(/delay .* longer than the longest duration/);
    await expect(engine.dispatch(noop, null, { runAt: new Date('+010000-01-01T00:00:00Z') })).rejects.toThrow(
      /runAt \(\+010000-01-01T00:00:00.000Z\) is outside the instants EverTask stores/,
    );
    await expect(engine.dispatch(noop, null, { runAt: new Date('-000001-01-01T00:00:00Z') })).rejects.toThrow(/runAt .* outside/);
    await expect(engine.dispatch(noop, null, { recurring: (s) => s.runAt(new Date('+020000-01-01T00:00:00Z')).then().everyDay() })).rejects.toThrow(
      InvalidScheduleError,
    );
    expect((await storage.query({})).total).toBe(0);
    expect(() => createEngine({ tasks: [noop], stopTimeout: 1e300 })).toThrow(/stopTimeout/);
    expect(() => defineTask({ name: 'slow', handler: () => {}, timeout: Number.MAX_SAFE_INTEGER })).toThrow(/timeout/);
    // the edge of the range is accepted and read back as a valid Date
    const id = await engine.dispatch(noop, null, { runAt: new Date('9999-12-31T23:59:59.999Z') });
    expect((await engine.getTask(id))?.dueAt?.toISOString()).toBe('9999-12-31T23:59:59.999Z');
  });
});
