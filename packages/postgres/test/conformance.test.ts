import { afterAll } from 'vitest';
import { describeStorageConformance } from 'evertask/testing';
import { PostgresStorage } from '../src/index.js';
import { PG_URL, describeWithPostgres, dropSchemas, testSchema } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();
const PREFIX = testSchema(import.meta.url);
let n = 0;

describePg('PostgresStorage', () => {
  afterAll(async () => {
    await dropSchemas(PREFIX);
  });

  // A fresh schema per storage (migrations included): every test starts from an empty database.
  describeStorageConformance('PostgresStorage', () => new PostgresStorage({ connectionString: PG_URL, schema: `${PREFIX}_${++n}`, max: 4 }), {
    destroy: async (storage) => dropSchemas((storage as PostgresStorage).schema),
  });
});
