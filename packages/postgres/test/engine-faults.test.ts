/**
 * The engine on PostgreSQL through a TCP proxy that is cut mid-run (the shared test of
 * `evertask/test/support/connection-cut.ts`); the LISTEN connection comes back too.
 */
import { afterAll } from 'vitest';
import { testConnectionCut } from '../../evertask/test/support/connection-cut.js';
import { PostgresStorage } from '../src/index.js';
import { PG_URL, describeWithPostgres, dropSchemas, testSchema } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();
const SCHEMA = testSchema(import.meta.url);

describePg('EverTask on PostgreSQL through a connection outage', () => {
  afterAll(() => dropSchemas(SCHEMA));
  testConnectionCut({
    serverUrl: PG_URL,
    defaultPort: 5432,
    storageThrough: (url) => new PostgresStorage({ connectionString: url, schema: SCHEMA, listenerMaxBackoffMs: 500 }),
    readStorage: () => new PostgresStorage({ connectionString: PG_URL, schema: SCHEMA, max: 2 }),
  });
});
