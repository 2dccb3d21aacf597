/**
 * The engine on Redis across real processes (the shared test of
 * `evertask/test/support/engine-processes.ts`). Wake-ups come from pub/sub (the add script
 * publishes), so the workers run without a sweep.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { testEngineProcesses } from '../../evertask/test/support/engine-processes.js';
import { REDIS_URL, deletePrefix, describeWithRedis, makeStorage, testPrefix } from './redis-test-helpers.js';

const describeRedis = await describeWithRedis();

describeRedis('EverTask on Redis in several processes', () => {
  const prefix = testPrefix('multi-process');
  afterAll(async () => deletePrefix(prefix));
  testEngineProcesses({
    workerScript: join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'engine-worker.ts'),
    storage: { url: REDIS_URL, prefix },
    seedStorage: () => makeStorage({ prefix }),
  });
});
