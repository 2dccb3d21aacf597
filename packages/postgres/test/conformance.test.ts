import { afterAll } from 'vitest';
import { describeEngineConformance, describeStorageConformance } from 'evertask/testing';
import { PostgresStorage } from '../src/index.js';
import { PG_URL, describeWithPostgres, dropSchemas, testSchema } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();
const PREFIX = testSchema(import.meta.url);
let n = 0;

/** A storage on a schema of its own: every test starts from an empty database. */
const fresh = () => new PostgresStorage({ connectionString: PG_URL, schema: `${PREFIX}_${++n}`, max: 4 });

describePg('PostgresStorage', () => {
  afterAll(async () => {
    await dropSchemas(PREFIX);
  });

  describeStorageConformance('PostgresStorage', fresh, {
    destroy: async (storage) => dropSchemas((storage as PostgresStorage).schema),
  });

  describeEngineConformance('PostgresStorage', fresh, {
    // a new pool on the same schema, as a restarted process would open
    reopen: (storage) => new PostgresStorage({ connectionString: PG_URL, schema: (storage as PostgresStorage).schema, max: 4 }),
  });
});
