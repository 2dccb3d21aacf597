import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defineTask, EverTask, MemoryStorage, newStoredTask, silentLogger, uuidv7, type TaskStorage } from '../../src/index.js';
import { ManualClock, settle } from '../../src/testing/index.js';
import { stopEnginesAfterEach } from './helpers.js';

const track = stopEnginesAfterEach();
const noop = defineTask({ name: 'noop', handler: () => undefined });
const T0 = Date.parse('2026-03-01T00:00:00Z');

function engineOn(storage: TaskStorage, clock: ManualClock, instanceId: string) {
  return track(
    new EverTask({
      storage,
      clock,
      instanceId,
      tasks: [noop],
      logger: silentLogger,
      lease: '30s',
      queues: { default: { concurrency: 2 }, mail: { concurrency: 1 } },
    }),
  );
}

describe('instance registry', () => {
  it('registers each engine at start, refreshes it with the heartbeat and removes it at a clean stop', async () => {
    const clock = new ManualClock(T0);
    const storage = new MemoryStorage();
    const a = engineOn(storage, clock, 'engine-a');
    const b = engineOn(storage, clock, 'engine-b');
    await a.start();
    await clock.advance(1000);
    await b.start();

    const listed = await a.instances();
    expect(listed.map((i) => [i.id, i.self, i.alive])).toEqual([
      ['engine-a', true, true],
      ['engine-b', false, true],
    ]);
    expect(listed[0]).toMatchObject({ hostname: hostname(), pid: process.pid, queues: expect.arrayContaining(['default', 'mail']) });
    expect(listed[0]?.startedAt.getTime()).toBe(T0);
    expect(listed[0]?.expiresAt.getTime()).toBe(T0 + 30_000);

    await clock.advance(10_000); // the heartbeat (lease / 3)
    await settle(10);
    const [afterBeat] = await a.instances();
    expect(afterBeat?.lastHeartbeatAt.getTime()).toBe(T0 + 10_000);
    expect(afterBeat?.expiresAt.getTime()).toBe(T0 + 40_000);
    expect(afterBeat?.startedAt.getTime()).toBe(T0);

    await b.stop();
    expect((await a.instances()).map((i) => i.id)).toEqual(['engine-a']);
  });

  it('shows an instance that stopped heartbeating as not alive once its record expires', async () => {
    const clock = new ManualClock(T0);
    const storage = new MemoryStorage();
    const a = engineOn(storage, clock, 'engine-a');
    await a.start();
    // a crashed peer: registered once, never again
    await storage.instances.heartbeat({ id: 'crashed', hostname: 'h', pid: 9, startedAt: T0, heartbeatAt: T0, expiresAt: T0 + 30_000, queues: ['default'], taskNames: [] });
    expect((await a.instances()).find((i) => i.id === 'crashed')?.alive).toBe(true);
    for (let i = 0; i < 4; i++) {
      await clock.advance(10_000);
      await settle(10);
    }
    const crashed = (await a.instances()).find((i) => i.id === 'crashed');
    expect(crashed?.alive).toBe(false);
    expect((await a.instances()).find((i) => i.id === 'engine-a')?.alive).toBe(true);
  });

  it('lists the engine alone on a storage without a registry', async () => {
    const clock = new ManualClock(T0);
    const memory = new MemoryStorage();
    // a custom storage that implements only the required contract
    const bare: TaskStorage = new Proxy(memory, {
      get(target, key, receiver) {
        if (key === 'instances') return undefined;
        const value = Reflect.get(target, key, receiver) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const a = engineOn(bare, clock, 'engine-a');
    await a.start();
    const listed = await a.instances();
    expect(listed.map((i) => [i.id, i.self, i.alive])).toEqual([['engine-a', true, true]]);
    expect(await memory.instances.list()).toEqual([]);
  });
});

describe('lease renewal', () => {
  it('renews only the leases of tasks it holds: one it lost track of lapses and runs, even while the engine stays busy', async () => {
    const clock = new ManualClock(T0);
    const storage = new MemoryStorage();
    let release!: () => void;
    const blocker = new Promise<void>((resolve) => (release = resolve));
    const ran: string[] = [];
    const slow = defineTask({ name: 'slow', handler: () => blocker });
    const quick = defineTask({ name: 'quick', handler: (_: null, ctx) => void ran.push(ctx.taskId) });
    const engine = track(
      new EverTask({ storage, clock, instanceId: 'engine-a', tasks: [slow, quick], logger: silentLogger, lease: '30s', queues: { default: { concurrency: 2 } } }),
    );
    await engine.start();
    try {
      await engine.dispatch(slow, null); // keeps the engine holding a lease, so its heartbeat renews
      // a claim whose answer never arrived: leased to this engine in the storage, unknown to it
      const lost = newStoredTask({ id: uuidv7(T0), name: 'quick', payload: 'null', createdAt: T0, status: 'queued', leaseOwner: 'engine-a', leaseExpiresAt: T0 + 30_000 });
      await storage.add([lost]);
      // a later claim round (here for a delayed task) learns when that lease expires, as the retry of the failed claim would
      const delayed = await engine.dispatch(quick, null, { delay: '1s' });
      for (let i = 0; i < 4; i++) {
        await clock.advance(10_000);
        await settle(10);
      }
      expect(ran).toEqual([delayed, lost.id]);
      expect((await engine.getTask(lost.id))?.status).toBe('completed');
    } finally {
      release();
    }
  });
});
