import { afterAll, afterEach, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import type { StorageNotification } from 'evertask';
import { RedisEvictionPolicyError, type RedisStorage } from '../src/index.js';
import { REDIS_URL, adminClient, deletePrefix, describeWithRedis, makeStorage, makeTask, testPrefix } from './redis-test-helpers.js';
import { ThrowawayRedis } from './throwaway-redis.js';

const describeRedis = await describeWithRedis();
const T = 1_800_000_000_000;

describeRedis('RedisStorage on Redis', () => {
  const admin = adminClient();
  const used: RedisStorage[] = [];
  const servers: ThrowawayRedis[] = [];

  /** A storage on a prefix of its own, closed and cleaned after the test. */
  async function open(options: Parameters<typeof makeStorage>[0] = {}): Promise<RedisStorage> {
    const storage = makeStorage({ prefix: testPrefix('storage'), ...options });
    used.push(storage);
    await storage.open();
    return storage;
  }

  async function keysOf(prefix: string): Promise<string[]> {
    if (admin.status !== 'ready') await admin.connect();
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
    return found.sort();
  }

  afterEach(async () => {
    for (const storage of used.splice(0)) {
      await storage.close();
      await deletePrefix(storage.prefix);
    }
  });

  afterAll(async () => {
    for (const server of servers) await server.destroy();
    admin.disconnect();
  });

  it('keeps every key of a deployment under its hash tag {<prefix>}, so one Cluster slot holds them', async () => {
    const storage = await open();
    const a = makeTask({ taskKey: 'k', queue: 'mail' });
    await storage.add([a, makeTask()], { audit: true });
    await storage.transition([{ id: a.id, from: ['waiting'], to: 'completed', at: T, audit: { error: null }, logs: [] }]);
    await storage.saveExecutionLogs(a.id, [{ id: '0190b1a0-0000-7000-8000-000000000001', taskId: a.id, at: T, level: 'information', message: 'm', exception: null, sequence: 0 }]);
    await storage.instances.heartbeat({ id: 'i', hostname: 'h', pid: 1, startedAt: T, heartbeatAt: T, expiresAt: T + 1, queues: [], taskNames: [] });
    const keys = await keysOf(storage.prefix);
    expect(keys.length).toBeGreaterThan(5);
    for (const key of keys) expect(key.startsWith(`{${storage.prefix}}:`), key).toBe(true);
  });

  it('never closes a client it was handed; closes only the subscriber it duplicated', async () => {
    const client = new Redis(REDIS_URL);
    try {
      const storage = await open({ url: undefined, client } as never);
      const received: StorageNotification[] = [];
      await storage.notifications?.subscribe((n) => received.push(n));
      await storage.notifications?.notify({ kind: 'task-available' });
      await vi.waitFor(() => expect(received).toHaveLength(1), { timeout: 5000, interval: 5 });
      await storage.close();
      expect(client.status).toBe('ready');
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });

  it('publishes a wake-up from add for runnable tasks, with the id of a single one', async () => {
    const storage = await open();
    const other = await open({ prefix: storage.prefix });
    const received: StorageNotification[] = [];
    await other.notifications?.subscribe((n) => received.push(n));
    const due = makeTask({ dueAt: T + 5 });
    await storage.add([due]);
    await storage.add([makeTask({ dueAt: T + 9 }), makeTask({ dueAt: T + 7 })]);
    await storage.add([makeTask({ status: 'completed', dueAt: null })]);
    await vi.waitFor(() => expect(received).toHaveLength(2), { timeout: 5000, interval: 5 });
    expect(received).toEqual([
      { kind: 'task-available', dueAt: T + 5, taskId: due.id },
      { kind: 'task-available', dueAt: T + 7 },
    ]);
  });

  it('reads a task hash changed outside EverTask as a clear error naming the field', async () => {
    const storage = await open();
    const t = makeTask();
    await storage.add([t]);
    if (admin.status !== 'ready') await admin.connect();
    const key = `{${storage.prefix}}:t:${t.id}`;
    await admin.hset(key, 'status', 'done');
    await expect(storage.get(t.id)).rejects.toMatchObject({ code: 'ERR_STORAGE', message: expect.stringMatching(/column "status" holds "done"/) });
    await admin.hset(key, 'status', 'waiting', 'attempts', 'many');
    await expect(storage.get(t.id)).rejects.toThrow(/column "attempts" holds "many"/);
    await admin.hset(key, 'attempts', '0');
    await admin.hdel(key, 'name');
    await expect(storage.get(t.id)).rejects.toThrow(/column "name" holds null/);
  });

  it('reads history members and instance records changed outside EverTask as clear errors', async () => {
    const storage = await open();
    const t = makeTask();
    await storage.add([t], { audit: true });
    if (admin.status !== 'ready') await admin.connect();
    await admin.zadd(`{${storage.prefix}}:sa:${t.id}`, T, '0000000000000099not json');
    await expect(storage.getStatusAudit(t.id)).rejects.toThrow(/malformed member "0000000000000099not json".*changed outside EverTask/);
    await admin.zadd(`{${storage.prefix}}:log:${t.id}`, T, `0000000000:${t.id}["x","loud","m",null]`);
    await expect(storage.getExecutionLogs(t.id)).rejects.toThrow(/malformed execution-log row/);
    await admin.hset(`{${storage.prefix}}:inst`, 'ghost', '{"id":"ghost","pid":"x"}');
    await expect(storage.instances.list()).rejects.toThrow(/malformed instance row of "ghost"/);
  });

  it('stores a lone UTF-16 surrogate as U+FFFD (no UTF-8 text holds it) and keeps the rest of the text', async () => {
    const storage = await open();
    const t = makeTask({ payload: '{"s":"a\ud800b 😀"}' });
    await storage.add([t]);
    expect((await storage.get(t.id))?.payload).toBe('{"s":"a\ufffdb 😀"}');
    await storage.transition([{ id: t.id, from: ['waiting'], to: 'waiting', at: T, patch: { error: 'x\udc00' } }]);
    expect((await storage.get(t.id))?.error).toBe('x\ufffd');
  });

  it('refuses a deployment written by a newer layout', async () => {
    const prefix = testPrefix('layout');
    if (admin.status !== 'ready') await admin.connect();
    await admin.hset(`{${prefix}}:meta`, 'version', '99');
    const storage = makeStorage({ prefix });
    used.push(storage);
    await expect(storage.open()).rejects.toThrow(/written by a newer @evertask\/redis \(layout 99; this package reads layout 1\)/);
  });

  it('refuses a server whose maxmemory-policy evicts any key, and accepts noeviction and volatile-*', async () => {
    const lru = new ThrowawayRedis(['--maxmemory-policy', 'allkeys-lru']);
    const volatile = new ThrowawayRedis(['--maxmemory-policy', 'volatile-lru']);
    servers.push(lru, volatile);
    await Promise.all([lru.start(), volatile.start()]);
    const refused = makeStorage({ url: lru.url, prefix: 'policy' });
    used.push(refused);
    const error = await refused.open().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(RedisEvictionPolicyError);
    expect(error).toMatchObject({ code: 'ERR_STORAGE', policy: 'allkeys-lru' });
    expect((error as Error).message).toMatch(/maxmemory-policy is "allkeys-lru".*Set "maxmemory-policy noeviction"/);
    await refused.close();
    const unchecked = makeStorage({ url: lru.url, prefix: 'policy', checkEvictionPolicy: false });
    used.push(unchecked);
    await unchecked.open();
    const accepted = makeStorage({ url: volatile.url, prefix: 'policy' });
    used.push(accepted);
    await accepted.open();
  });

  it('warns, and opens, when CONFIG is disabled and the policy cannot be read', async () => {
    const server = new ThrowawayRedis(['--rename-command', 'CONFIG', '']);
    servers.push(server);
    await server.start();
    const warnings: string[] = [];
    const storage = makeStorage({ url: server.url, prefix: 'no-config', onWarning: (message) => warnings.push(message) });
    used.push(storage);
    await storage.open();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/could not read the server's maxmemory-policy.*"noeviction"/);
  });

  it('tells the subscribers to look again after the subscriber connection was cut and came back', async () => {
    const server = new ThrowawayRedis();
    servers.push(server);
    await server.start();
    const storage = await open({ url: server.url });
    const received: StorageNotification[] = [];
    await storage.notifications?.subscribe((n) => received.push(n));
    const own = adminClient(server.url);
    try {
      await own.connect();
      // the storage's subscriber, by the name it gives its connection
      const line = String(await own.call('CLIENT', 'LIST', 'TYPE', 'pubsub')).split('\n').find((l) => l.includes(`name=evertask:${storage.prefix}:subscriber`));
      const id = /\bid=(\d+)/.exec(line ?? '')?.[1];
      expect(id, 'the subscriber connection').toBeDefined();
      await own.call('CLIENT', 'KILL', 'ID', id as string);
    } finally {
      own.disconnect();
    }
    await vi.waitFor(() => expect(received).toContainEqual({ kind: 'task-available' }), { timeout: 10_000, interval: 20 });
    const taskId = makeTask().id;
    await storage.notifications?.notify({ kind: 'task-cancelled', taskId });
    await vi.waitFor(() => expect(received).toContainEqual({ kind: 'task-cancelled', taskId }), { timeout: 5000, interval: 5 });
  });
});
