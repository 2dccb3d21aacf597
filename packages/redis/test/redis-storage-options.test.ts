import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from 'evertask';
import { RedisStorage, checkKeyPrefix, type RedisStorageOptions } from '../src/index.js';
import { REDIS_DEFAULTS, resolveRedisOptions } from '../src/redis-storage-options.js';

describe('RedisStorage options', () => {
  it('applies the defaults to a URL', () => {
    const resolved = resolveRedisOptions({ url: 'redis://127.0.0.1:6379' });
    expect(resolved).toMatchObject({ url: 'redis://127.0.0.1:6379', client: undefined, ...REDIS_DEFAULTS });
    expect(typeof resolved.onWarning).toBe('function');
  });

  it('takes a client instead of a URL, never both or neither', () => {
    const client = new Redis({ lazyConnect: true });
    expect(resolveRedisOptions({ client }).client).toBe(client);
    expect(() => resolveRedisOptions({} as RedisStorageOptions)).toThrow(/exactly one of "url".*or "client"/);
    expect(() => resolveRedisOptions({ url: 'redis://x', client } as unknown as RedisStorageOptions)).toThrow(InvalidArgumentError);
    expect(() => resolveRedisOptions({ client: {} as Redis })).toThrow(/must be an ioredis client/);
    client.disconnect();
  });

  it('names the bad value and the fix', () => {
    expect(() => resolveRedisOptions({ url: 'http://127.0.0.1' })).toThrow(/"url" must be a string such as "redis:\/\/127.0.0.1:6379\/0"; received "http:\/\/127.0.0.1"/);
    expect(() => resolveRedisOptions({ url: 'redis://x', notifications: 'yes' as never })).toThrow(/"notifications" must be true or false; received yes/);
    expect(() => resolveRedisOptions({ url: 'redis://x', checkEvictionPolicy: 1 as never })).toThrow(/"checkEvictionPolicy" must be true or false/);
    expect(() => resolveRedisOptions({ url: 'redis://x', onWarning: 'log' as never })).toThrow(/"onWarning" must be a function/);
    expect(() => new RedisStorage(null as never)).toThrow(/needs an options object/);
  });

  it('accepts key prefixes without braces, at most 64 characters', () => {
    for (const prefix of ['evertask', 'billing-tasks', 'app:v2', 'a.b_c']) expect(checkKeyPrefix(prefix)).toBe(prefix);
    for (const prefix of ['', '{evertask}', 'with space', 'x'.repeat(65), 7]) {
      expect(() => checkKeyPrefix(prefix), String(prefix)).toThrow(/option "prefix" must match/);
    }
  });

  it('has no notifications role when notifications are off', () => {
    expect(new RedisStorage({ url: 'redis://127.0.0.1:6379' }).notifications).toBeDefined();
    expect(new RedisStorage({ url: 'redis://127.0.0.1:6379', notifications: false }).notifications).toBeUndefined();
  });
});
