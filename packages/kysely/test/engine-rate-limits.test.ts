/**
 * Rate limits shared by three processes on one PostgreSQL database through Kysely (the shared test
 * of `evertask/test/support/rate-limit-processes.ts`).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testRateLimitProcesses } from '../../evertask/test/support/rate-limit-processes.js';
import { PG_URL } from '../../postgres/test/pg-test-helpers.js';
import { describeFor, makeStorage, usePostgres } from './kysely-test-helpers.js';

const describePg = await describeFor('postgres');
const PREFIX = 'kyrl_';

describePg('rate limits shared by processes on PostgreSQL through Kysely', () => {
  const database = usePostgres(import.meta.url);
  testRateLimitProcesses({
    workerScript: join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'engine-worker.ts'),
    storage: { connectionString: PG_URL, schema: database.schema, tablePrefix: PREFIX },
    seedStorage: () => makeStorage(database, PREFIX),
    sweepInterval: '250ms',
  });
});
