import { afterAll } from 'vitest';
import { describeStoragePortProperties } from '../../../evertask/test/support/storage-port-properties.js';
import { deletePrefix, describeWithRedis, makeStorage, testPrefix } from '../redis-test-helpers.js';

const describeRedis = await describeWithRedis();

describeRedis('Redis port properties', () => {
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const prefix of prefixes) await deletePrefix(prefix);
  });
  describeStoragePortProperties(
    'RedisStorage',
    async () => {
      const prefix = testPrefix('property');
      prefixes.push(prefix);
      const storage = makeStorage({ prefix });
      await storage.open();
      return storage;
    },
    (storage) => storage.close(),
  );
});
