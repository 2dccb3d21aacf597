/**
 * The engine on Redis through a TCP proxy that is cut mid-run (the shared test of
 * `evertask/test/support/connection-cut.ts`): the command connection and the subscriber are both
 * cut, ioredis reconnects them, nothing is lost.
 */
import { afterAll } from 'vitest';
import { testConnectionCut } from '../../evertask/test/support/connection-cut.js';
import { RedisStorage } from '../src/index.js';
import { REDIS_URL, deletePrefix, describeWithRedis, makeStorage, testPrefix } from './redis-test-helpers.js';

const describeRedis = await describeWithRedis();

describeRedis('EverTask on Redis through a connection outage', () => {
  const prefix = testPrefix('faults');
  afterAll(async () => deletePrefix(prefix));
  testConnectionCut({
    serverUrl: REDIS_URL,
    defaultPort: 6379,
    storageThrough: (url) => new RedisStorage({ url, prefix }),
    readStorage: () => makeStorage({ prefix }),
  });
});
