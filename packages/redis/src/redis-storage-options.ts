import type { Redis } from 'ioredis';
import { InvalidArgumentError } from 'evertask';

/** Options shared by both ways of connecting. */
export interface RedisStorageCommonOptions {
  /**
   * Prefix of every key, written as a Redis Cluster hash tag: keys are `{<prefix>}:…`, so all the
   * keys of one deployment land in one Cluster slot (the scripts touch several of them at once).
   * Give each application (or each test) its own prefix to share one Redis. Letters, digits, `_`,
   * `-`, `.` and `:`, at most 64 characters.
   * @defaultValue `'evertask'`
   */
  prefix?: string;
  /**
   * Publish and receive wake-ups on the pub/sub channel `{<prefix>}:notify` (a second connection,
   * `duplicate()` of the client, stays subscribed). With `false` the storage has no
   * `notifications` role and other processes' new tasks are found by the engine's sweep.
   * @defaultValue `true`
   */
  notifications?: boolean;
  /**
   * Refuse to open when the server's `maxmemory-policy` may evict keys without a TTL
   * (`allkeys-lru`, `allkeys-lfu`, `allkeys-random`): an evicted task would be lost silently.
   * Turn off only for a Redis you know never reaches `maxmemory`.
   * @defaultValue `true`
   */
  checkEvictionPolicy?: boolean;
  /**
   * Where the storage reports what does not stop it (CONFIG disabled, so the eviction policy could
   * not be read).
   * @defaultValue `console.warn`
   */
  onWarning?: (message: string) => void;
}

/** Connect with a URL: the storage creates, owns and closes its ioredis client. */
export interface RedisUrlOptions extends RedisStorageCommonOptions {
  /** A `redis://[user:password@]host:6379[/db]` or `rediss://` URL. */
  url: string;
  client?: never;
}

/**
 * Use an existing ioredis client: the storage never closes it (it closes only the subscriber it
 * made with `client.duplicate()`).
 */
export interface RedisClientOptions extends RedisStorageCommonOptions {
  /** The ioredis client to send commands on (a standalone `Redis`, not a `Cluster`). */
  client: Redis;
  url?: never;
}

/** Options of `new RedisStorage(...)`: a URL or a client, plus tuning. */
export type RedisStorageOptions = RedisUrlOptions | RedisClientOptions;

/** Options with every default applied. */
export interface ResolvedRedisStorageOptions {
  url: string | undefined;
  client: Redis | undefined;
  prefix: string;
  notifications: boolean;
  checkEvictionPolicy: boolean;
  onWarning: (message: string) => void;
}

/** The default of every option. */
export const REDIS_DEFAULTS = {
  prefix: 'evertask',
  notifications: true,
  checkEvictionPolicy: true,
} as const;

/** Key prefixes the storage accepts. */
export const KEY_PREFIX_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Throws `InvalidArgumentError` unless `prefix` is a valid key prefix. */
export function checkKeyPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || !KEY_PREFIX_PATTERN.test(prefix)) {
    throw new InvalidArgumentError(
      `RedisStorage option "prefix" must match ${String(KEY_PREFIX_PATTERN)} (letters, digits, "_", "-", "." and ":", ` +
        `at most 64 characters; no braces, the storage adds the hash tag); received ${JSON.stringify(prefix)}. Use e.g. "evertask" or "billing-tasks".`,
    );
  }
  return prefix;
}

function isClient(value: unknown): value is Redis {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Redis).evalsha === 'function' &&
    typeof (value as Redis).duplicate === 'function' &&
    typeof (value as Redis).pipeline === 'function'
  );
}

/**
 * Checks the options of `new RedisStorage(...)` and applies the defaults; throws
 * `InvalidArgumentError` naming the bad option and what it accepts.
 */
export function resolveRedisOptions(options: RedisStorageOptions): ResolvedRedisStorageOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('RedisStorage needs an options object: { url } or { client }, optionally with { prefix }.');
  }
  const hasUrl = options.url !== undefined;
  const hasClient = options.client !== undefined;
  if (hasUrl === hasClient) {
    throw new InvalidArgumentError(
      'RedisStorage needs exactly one of "url" (the storage creates and closes an ioredis client) or "client" ' +
        '(an existing ioredis client the storage never closes).',
    );
  }
  if (hasUrl && (typeof options.url !== 'string' || !/^rediss?:\/\//.test(options.url))) {
    throw new InvalidArgumentError(
      `RedisStorage option "url" must be a string such as "redis://127.0.0.1:6379/0"; received ${JSON.stringify(options.url)}.`,
    );
  }
  if (hasClient && !isClient(options.client)) {
    throw new InvalidArgumentError('RedisStorage option "client" must be an ioredis client (new Redis(...) from "ioredis").');
  }
  const flag = (key: 'notifications' | 'checkEvictionPolicy'): boolean => {
    const value = options[key] ?? REDIS_DEFAULTS[key];
    if (typeof value !== 'boolean') throw new InvalidArgumentError(`RedisStorage option "${key}" must be true or false; received ${String(value)}.`);
    return value;
  };
  const onWarning = options.onWarning ?? ((message: string) => console.warn(message));
  if (typeof onWarning !== 'function') {
    throw new InvalidArgumentError('RedisStorage option "onWarning" must be a function taking the message.');
  }
  return {
    url: options.url,
    client: hasClient ? options.client : undefined,
    prefix: checkKeyPrefix(options.prefix ?? REDIS_DEFAULTS.prefix),
    notifications: flag('notifications'),
    checkEvictionPolicy: flag('checkEvictionPolicy'),
    onWarning,
  };
}
