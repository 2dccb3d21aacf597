import { afterAll } from 'vitest';
import { PostgresStorage } from '../src/index.js';
import { describeSecretsNotLogged, SECRET } from '../../evertask/test/support/secrets-not-logged.js';
import { describeWithPostgres, dropSchemas, PG_URL, testSchema } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();

describePg('PostgreSQL connection strings', () => {
  const schema = testSchema(import.meta.url);
  afterAll(() => dropSchemas(schema));
  const withPassword = (url: string) => url.replace('://postgres@', `://postgres:${SECRET}@`);

  describeSecretsNotLogged('PostgresStorage', () => ({
    storage: (connectionString) => new PostgresStorage({ connectionString, schema }),
    // the test server trusts local connections, so the password is sent and ignored
    workingUrl: withPassword(PG_URL),
    failingUrls: [`postgres://postgres:${SECRET}@127.0.0.1:1/test`, `postgres://no_such_user_x:${SECRET}@127.0.0.1:5432/no_such_db_x`],
  }));
});
