import { describe, expect, it } from 'vitest';
import { StorageError, TaskKeyConflictError } from 'evertask';
import { RedisEvictionPolicyError, isTransientRedisError } from '../src/index.js';
import { isNoScriptError, toStorageError } from '../src/redis-errors.js';

describe('Redis error classification', () => {
  it('counts lost connections and busy, loading or failing-over servers as transient', () => {
    for (const error of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }),
      new Error('Connection is closed.'),
      new Error('LOADING Redis is loading the dataset in memory'),
      new Error('BUSY Redis is busy running a script.'),
      new Error('READONLY You can\'t write against a read only replica.'),
      new Error('Reached the max retries per request limit (which is 20).'),
    ]) {
      expect(isTransientRedisError(error), error.message).toBe(true);
    }
    for (const error of [new Error('ERR wrong number of arguments'), new Error('OOM command not allowed when used memory > maxmemory'), 'text']) {
      expect(isTransientRedisError(error), String(error)).toBe(false);
    }
  });

  it('wraps driver errors naming the operation, and lets the library\'s own through', () => {
    const wrapped = toStorageError('claimDue', new Error('LOADING Redis is loading'));
    expect(wrapped).toBeInstanceOf(StorageError);
    expect(wrapped).toMatchObject({ code: 'ERR_STORAGE', transient: true, message: 'RedisStorage.claimDue failed: LOADING Redis is loading' });
    const conflict = new TaskKeyConflictError('k');
    expect(toStorageError('add', conflict)).toBe(conflict);
    expect(isNoScriptError(new Error('NOSCRIPT No matching script. Please use EVAL.'))).toBe(true);
  });

  it('names the policy and the fix when the server may evict keys', () => {
    const error = new RedisEvictionPolicyError('allkeys-lfu');
    expect(error).toMatchObject({ code: 'ERR_STORAGE', policy: 'allkeys-lfu' });
    expect(error.message).toMatch(/"allkeys-lfu".*maxmemory-policy noeviction/);
  });
});
