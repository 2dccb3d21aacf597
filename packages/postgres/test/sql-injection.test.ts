import { PostgresStorage } from '../src/index.js';
import { describeSqlInjection } from '../../evertask/test/support/sql-injection.js';
import { describeWithPostgres, PG_URL, useFreshSchema } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();

describePg('PostgreSQL SQL injection', () => {
  const { schema, admin, fresh } = useFreshSchema(import.meta.url);
  describeSqlInjection('PostgresStorage', () => ({
    open: fresh,
    close: (storage) => storage.close(),
    withIdentifier: (identifier) => new PostgresStorage({ connectionString: PG_URL, schema: identifier }),
    tables: async () =>
      (await admin().query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema])).rows.map((r) => r.name),
  }));
});
