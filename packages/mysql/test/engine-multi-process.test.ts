/**
 * The engine on MySQL/MariaDB across real processes (the shared test of
 * `evertask/test/support/engine-processes.ts`). There is no notification channel: the workers
 * find the tasks another process added with their sweep.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testEngineProcesses } from '../../evertask/test/support/engine-processes.js';
import { describeWithMySql, makeStorage, useDatabase } from './mysql-test-helpers.js';

const describeMySql = await describeWithMySql();
const PREFIX = 'evertask_';

describeMySql('EverTask on MySQL in several processes', () => {
  const { uri } = useDatabase(import.meta.url);
  testEngineProcesses({
    workerScript: join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'engine-worker.ts'),
    storage: { uri, tablePrefix: PREFIX },
    seedStorage: () => makeStorage(uri, { tablePrefix: PREFIX, connectionLimit: 2 }),
    sweepInterval: '250ms',
  });
});
