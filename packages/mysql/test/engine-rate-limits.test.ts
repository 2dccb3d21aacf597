/**
 * Rate limits shared by three processes on one MySQL/MariaDB database (the shared test of
 * `evertask/test/support/rate-limit-processes.ts`); without wake-ups, a parked task is woken at
 * its slot by the process that parked it, or found by the sweep.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testRateLimitProcesses } from '../../evertask/test/support/rate-limit-processes.js';
import { describeWithMySql, makeStorage, useDatabase } from './mysql-test-helpers.js';

const describeMySql = await describeWithMySql();
const PREFIX = 'evertask_rl_';

describeMySql('rate limits shared by processes on MySQL', () => {
  const { uri } = useDatabase(import.meta.url);
  testRateLimitProcesses({
    workerScript: join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'engine-worker.ts'),
    storage: { uri, tablePrefix: PREFIX },
    seedStorage: () => makeStorage(uri, { tablePrefix: PREFIX, connectionLimit: 2 }),
    sweepInterval: '250ms',
  });
});
