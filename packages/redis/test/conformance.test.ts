import { describeEngineConformance, describeStorageConformance } from 'evertask/testing';
import type { RedisStorage } from '../src/index.js';
import { deletePrefix, describeWithRedis, makeStorage, testPrefix } from './redis-test-helpers.js';

const describeRedis = await describeWithRedis();

describeRedis('RedisStorage', () => {
  /** A storage on keys of its own: every test starts from an empty deployment. */
  const fresh = () => makeStorage({ prefix: testPrefix('conformance') });

  describeStorageConformance('RedisStorage', fresh, {
    destroy: async (storage) => deletePrefix((storage as RedisStorage).prefix),
  });

  describeEngineConformance('RedisStorage', fresh, {
    // a new client on the same keys, as a restarted process would open
    reopen: (storage) => makeStorage({ prefix: (storage as RedisStorage).prefix }),
    destroy: async (storage) => deletePrefix((storage as RedisStorage).prefix),
  });
});
