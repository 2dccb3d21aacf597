import { beforeEach } from 'vitest';
import { PostgresStorage } from '../src/index.js';
import { describeCorruptedRows, type RowCorruption } from '../../evertask/test/support/corrupted-rows.js';
import { describeWithPostgres, PG_URL, useFreshSchema } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();

describePg('PostgreSQL corrupted rows', () => {
  const { schema, admin } = useFreshSchema(import.meta.url);
  const s = `"${schema}"`;
  const UPDATES: Record<RowCorruption, string> = {
    'invalid-json-payload': `UPDATE ${s}.tasks SET payload = '{"n": 0,' WHERE id = $1`,
    'unknown-task-name': `UPDATE ${s}.tasks SET name = 'renamed-by-hand' WHERE id = $1`,
    'impossible-status': `UPDATE ${s}.tasks SET status = 'exploded' WHERE id = $1`,
    // typed columns refuse text in a number column: a number outside every valid range instead
    'wrong-type': `UPDATE ${s}.tasks SET created_at = -9000000000000000 WHERE id = $1`,
  };
  beforeEach(async () => {
    await admin().query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  });

  describeCorruptedRows('PostgresStorage', () => ({
    storage: () => new PostgresStorage({ connectionString: PG_URL, schema }),
    corrupt: async (id, kind) => void (await admin().query(UPDATES[kind], [id])),
    recordNewerSchema: async () => void (await admin().query(`INSERT INTO ${s}.migrations (version, name) VALUES (999, 'future')`)),
    forgetNewerSchema: async () => void (await admin().query(`DELETE FROM ${s}.migrations WHERE version = 999`)),
  }));
});
