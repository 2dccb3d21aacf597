/**
 * Rate limits shared by three processes on one PostgreSQL schema (the shared test of
 * `evertask/test/support/rate-limit-processes.ts`).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { testRateLimitProcesses } from '../../evertask/test/support/rate-limit-processes.js';
import { PostgresStorage } from '../src/index.js';
import { PG_URL, describeWithPostgres, dropSchemas, testSchema } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();
const SCHEMA = testSchema(import.meta.url);

describePg('rate limits shared by processes on PostgreSQL', () => {
  afterAll(() => dropSchemas(SCHEMA));
  testRateLimitProcesses({
    workerScript: join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'engine-worker.ts'),
    storage: { connectionString: PG_URL, schema: SCHEMA },
    seedStorage: () => new PostgresStorage({ connectionString: PG_URL, schema: SCHEMA, max: 2 }),
  });
});
