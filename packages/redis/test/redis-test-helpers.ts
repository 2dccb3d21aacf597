import { Redis } from 'ioredis';
import type { describe } from 'vitest';
import type { StoredTask } from 'evertask';
import { makeStoredTask } from 'evertask/testing';
import { describeWithService } from '../../evertask/test/support/describe-with-service.js';
import { RedisStorage, type RedisStorageOptions } from '../src/index.js';

/** URL of the test server. */
export const REDIS_URL = process.env.EVERTASK_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A client for a test's own checks (the caller closes it). */
export function adminClient(url = REDIS_URL): Redis {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined); // a refused connect is reported by the command that needed it
  return client;
}

/** Why the server cannot be used, or undefined when it answers. */
export async function probeRedis(): Promise<string | undefined> {
  const client = adminClient();
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return `Redis at ${REDIS_URL} is unreachable: ${(error as Error).message}`;
  } finally {
    client.disconnect();
  }
}

/**
 * `describe` when the server answers. Otherwise outside CI a loud warning and `describe.skip`;
 * under `CI=true` a failure (a CI run must not pass by skipping the Redis tests).
 */
export async function describeWithRedis(): Promise<typeof describe> {
  return describeWithService(await probeRedis(), 'Redis', '@evertask/redis', 'EVERTASK_TEST_REDIS_URL');
}

let counter = 0;

/** A key prefix unique to this test process and call (`evertask-test-<pid>-<tag>-<n>`). */
export function testPrefix(tag: string): string {
  return `evertask-test-${process.pid}-${tag}-${++counter}`;
}

/** Deletes the keys of one prefix (`{<prefix>}:*`), found with SCAN on that pattern only. */
export async function deletePrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const client = adminClient(url);
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `{${prefix}}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

/** A storage on the test server; `options` wins. */
export function makeStorage(options: Partial<RedisStorageOptions> = {}): RedisStorage {
  return new RedisStorage({ url: REDIS_URL, ...options } as RedisStorageOptions);
}

/** A valid task with everything defaulted; `overrides` wins. */
export function makeTask(overrides: Partial<StoredTask> = {}): StoredTask {
  return makeStoredTask({ createdAt: 1_700_000_000_000, payload: '{"n":1}', ...overrides });
}

/** Storages each on a key prefix of its own: `open()` opens one, `cleanup()` (in `afterEach`) closes them and deletes their keys. */
export function storagesOnOwnPrefixes(tag: string): { open(): Promise<RedisStorage>; cleanup(): Promise<void> } {
  const used: RedisStorage[] = [];
  return {
    async open() {
      const storage = makeStorage({ prefix: testPrefix(tag) });
      used.push(storage);
      await storage.open();
      return storage;
    },
    async cleanup() {
      for (const storage of used.splice(0)) {
        await storage.close();
        await deletePrefix(storage.prefix);
      }
    },
  };
}
