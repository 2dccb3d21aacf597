/**
 * Durability across a Redis crash: a throwaway `redis-server` (its own free port and directory,
 * `appendonly yes`, `appendfsync always`; never the machine's shared server) is killed with
 * SIGKILL and started again on the same files. Everything the storage acknowledged is still
 * there, the scripts are loaded again (NOSCRIPT), and a running engine carries on.
 */
import { afterAll, expect, it, vi } from 'vitest';
import { EverTask, defineTask, silentLogger, type StoredTask } from 'evertask';
import type { RedisStorage } from '../src/index.js';
import { describeWithRedis, makeStorage, makeTask } from './redis-test-helpers.js';
import { ThrowawayRedis } from './throwaway-redis.js';

const describeRedis = await describeWithRedis();
const T = 1_800_000_000_000;

describeRedis('RedisStorage across a Redis crash with AOF on', () => {
  const server = new ThrowawayRedis(['--appendonly', 'yes', '--appendfsync', 'always']);
  const storages: RedisStorage[] = [];
  const engines: EverTask[] = [];

  afterAll(async () => {
    await Promise.allSettled(engines.map((e) => e.stop({ timeout: 200 })));
    for (const s of storages) await s.close().catch(() => undefined);
    await server.destroy();
  });

  it('loses nothing it acknowledged: tasks, transitions, claims and history survive a SIGKILL of the server', async () => {
    await server.start();
    const storage = makeStorage({ url: server.url, prefix: 'aof' });
    storages.push(storage);
    await storage.open();
    const tasks = Array.from({ length: 300 }, (_, i) => makeTask({ createdAt: T + i, dueAt: T + i, taskKey: `k${i}` }));
    await storage.add(tasks, { audit: true });
    const finished = tasks.slice(0, 100);
    const applied = await storage.transition(
      finished.map((t) => ({ id: t.id, from: ['waiting'], to: 'completed', at: T + 1000, audit: { error: null } })),
    );
    expect(applied.every(Boolean)).toBe(true);
    const claimed = await storage.claimDue({ owner: 'before-crash', now: T + 1000, limit: 50, leaseMs: 60_000 });
    expect(claimed).toHaveLength(50);
    const expected = new Map<string, StoredTask>();
    for (const t of tasks) expected.set(t.id, t);
    for (const t of finished) expected.set(t.id, { ...t, status: 'completed', updatedAt: T + 1000 });
    for (const t of claimed) expected.set(t.id, t);

    await server.kill();
    await server.start();

    // the same storage, its client reconnected; the scripts are gone from the new server and load again
    await vi.waitFor(async () => expect(await storage.get(tasks[0]!.id)).toBeDefined(), { timeout: 10_000, interval: 50 });
    for (const [id, task] of expected) expect(await storage.get(id)).toEqual(task);
    expect(await storage.getByTaskKey('k299')).toEqual(expected.get(tasks[299]!.id));
    expect((await storage.getStatusAudit(finished[0]!.id)).map((row) => row.status)).toEqual(['waiting', 'completed']);
    const counts = await storage.count();
    expect(counts.map((c) => [c.status, c.count])).toEqual([
      ['completed', 100],
      ['queued', 50],
      ['waiting', 150],
    ]);
    const after = await storage.claimDue({ owner: 'after-crash', now: T + 2000, limit: 500, leaseMs: 60_000 });
    expect(after).toHaveLength(150);
  });

  it('a running engine carries on through the crash: every dispatched task completes once the server is back', async () => {
    const storage = makeStorage({ url: server.url, prefix: 'aof-engine' });
    storages.push(storage);
    const ran = new Set<string>();
    const task = defineTask({ name: 'note', handler: (_payload: null, ctx) => void ran.add(ctx.taskId) });
    const engine = new EverTask({ storage, tasks: [task], logger: silentLogger, sweepInterval: '200ms' });
    engines.push(engine);
    await engine.start();
    const first = await Promise.all(Array.from({ length: 50 }, () => engine.dispatch(task, null)));
    await vi.waitFor(() => expect(ran.size).toBeGreaterThanOrEqual(50), { timeout: 10_000, interval: 20 });
    await server.kill();
    await server.start();
    const second = await vi.waitFor(async () => engine.dispatch(task, null), { timeout: 10_000, interval: 100 });
    const rest = await Promise.all(Array.from({ length: 49 }, () => engine.dispatch(task, null)));
    const all = [...first, second, ...rest];
    await vi.waitFor(
      async () => {
        const statuses = await Promise.all(all.map(async (id) => (await storage.get(id))?.status));
        expect(statuses.filter((s) => s === 'completed')).toHaveLength(all.length);
      },
      { timeout: 20_000, interval: 100 },
    );
    for (const id of all) expect(ran.has(id), id).toBe(true);
  });
});
