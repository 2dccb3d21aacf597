/**
 * `RedisStorage`: many processes on one Redis (ioredis), one Lua script per state change.
 *
 * @packageDocumentation
 * @module @evertask/redis
 */
export { RedisStorage } from './redis-storage.js';
export type { RedisStorageOptions, RedisStorageCommonOptions, RedisUrlOptions, RedisClientOptions } from './redis-storage-options.js';
export { checkKeyPrefix } from './redis-storage-options.js';
export { RedisEvictionPolicyError, isTransientRedisError } from './redis-errors.js';
export { REDIS_LAYOUT_VERSION } from './migrator.js';
