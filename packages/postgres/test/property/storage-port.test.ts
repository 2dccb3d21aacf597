import { afterAll, beforeAll } from 'vitest';
import type pg from 'pg';
import { PostgresStorage } from '../../src/index.js';
import { describeStoragePortProperties } from '../../../evertask/test/support/storage-port-properties.js';
import { describeWithPostgres, dropSchemas, PG_URL, testPool, testSchema } from '../pg-test-helpers.js';

const describePg = await describeWithPostgres();

describePg('PostgreSQL port properties', () => {
  const schema = testSchema(import.meta.url);
  let admin: pg.Pool;
  beforeAll(() => {
    admin = testPool(2);
  });
  afterAll(async () => {
    await admin.end();
    await dropSchemas(schema);
  });
  describeStoragePortProperties(
    'PostgresStorage',
    async () => {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      const storage = new PostgresStorage({ connectionString: PG_URL, schema });
      await storage.open();
      return storage;
    },
    (storage) => storage.close(),
  );
});
