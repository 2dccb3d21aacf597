import { afterAll, beforeAll } from 'vitest';
import type pg from 'pg';
import { PostgresStorage } from '../src/index.js';
import { describeSqlInjection } from '../../evertask/test/support/sql-injection.js';
import { describeWithPostgres, dropSchemas, PG_URL, testPool, testSchema } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();

describePg('PostgreSQL SQL injection', () => {
  const schema = testSchema(import.meta.url);
  let admin: pg.Pool;
  beforeAll(() => {
    admin = testPool(2);
  });
  afterAll(async () => {
    await admin.end();
    await dropSchemas(schema);
  });

  describeSqlInjection('PostgresStorage', () => ({
    open: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      const storage = new PostgresStorage({ connectionString: PG_URL, schema });
      await storage.open();
      return storage;
    },
    close: (storage) => storage.close(),
    withIdentifier: (identifier) => new PostgresStorage({ connectionString: PG_URL, schema: identifier }),
    tables: async () =>
      (await admin.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema])).rows.map((r) => r.name),
  }));
});
