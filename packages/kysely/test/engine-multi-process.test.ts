/**
 * The engine on PostgreSQL through Kysely across real processes (the shared test of
 * `evertask/test/support/engine-processes.ts`): three workers, one killed with SIGKILL mid-run,
 * every task run exactly once (allowing for the killed one's). There is no notification channel:
 * the workers find each other's tasks with their sweep.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testEngineProcesses } from '../../evertask/test/support/engine-processes.js';
import { PG_URL } from '../../postgres/test/pg-test-helpers.js';
import { describeFor, makeStorage, usePostgres } from './kysely-test-helpers.js';

const describePg = await describeFor('postgres');
const PREFIX = 'kymp_';

describePg('EverTask on PostgreSQL through Kysely in several processes', () => {
  const database = usePostgres(import.meta.url);
  testEngineProcesses({
    workerScript: join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'engine-worker.ts'),
    storage: { connectionString: PG_URL, schema: database.schema, tablePrefix: PREFIX },
    seedStorage: () => makeStorage(database, PREFIX),
    sweepInterval: '250ms',
  });
});
