/**
 * Rate limits shared by three processes on one Redis (the shared test of
 * `evertask/test/support/rate-limit-processes.ts`); wake-ups by pub/sub, no sweep.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { testRateLimitProcesses } from '../../evertask/test/support/rate-limit-processes.js';
import { REDIS_URL, deletePrefix, describeWithRedis, makeStorage, testPrefix } from './redis-test-helpers.js';

const describeRedis = await describeWithRedis();

describeRedis('rate limits shared by processes on Redis', () => {
  const prefix = testPrefix('rate-limits');
  afterAll(async () => deletePrefix(prefix));
  testRateLimitProcesses({
    workerScript: join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'engine-worker.ts'),
    storage: { url: REDIS_URL, prefix },
    seedStorage: () => makeStorage({ prefix }),
  });
});
