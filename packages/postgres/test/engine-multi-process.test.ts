/**
 * The engine on PostgreSQL across real processes (the shared test of
 * `evertask/test/support/engine-processes.ts`); the workers wake each other with LISTEN/NOTIFY.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { testEngineProcesses } from '../../evertask/test/support/engine-processes.js';
import { PostgresStorage } from '../src/index.js';
import { PG_URL, describeWithPostgres, dropSchemas, testSchema } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();
const SCHEMA = testSchema(import.meta.url);

describePg('EverTask on PostgreSQL in several processes', () => {
  afterAll(() => dropSchemas(SCHEMA));
  testEngineProcesses({
    workerScript: join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'engine-worker.ts'),
    storage: { connectionString: PG_URL, schema: SCHEMA },
    seedStorage: () => new PostgresStorage({ connectionString: PG_URL, schema: SCHEMA, max: 2 }),
  });
});
