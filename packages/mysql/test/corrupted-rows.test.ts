import { afterAll, beforeAll, beforeEach } from 'vitest';
import type mysql from 'mysql2/promise';
import { describeCorruptedRows, type RowCorruption } from '../../evertask/test/support/corrupted-rows.js';
import { adminConnection, describeWithMySql, dropTables, makeStorage, useDatabase } from './mysql-test-helpers.js';

const describeMySql = await describeWithMySql();

describeMySql('MySQL corrupted rows', () => {
  const { database, uri } = useDatabase(import.meta.url);
  const prefix = 'corrupt_';
  const UPDATES: Record<RowCorruption, string> = {
    'invalid-json-payload': `UPDATE ${prefix}tasks SET payload = '{"n": 0,' WHERE id = ?`,
    'unknown-task-name': `UPDATE ${prefix}tasks SET name = 'renamed-by-hand' WHERE id = ?`,
    'impossible-status': `UPDATE ${prefix}tasks SET status = 'exploded' WHERE id = ?`,
    // typed columns refuse text in a number column: a number outside every valid range instead
    'wrong-type': `UPDATE ${prefix}tasks SET created_at = -9000000000000000 WHERE id = ?`,
  };
  let admin: mysql.Connection;
  beforeAll(async () => {
    admin = await adminConnection(database);
  });
  beforeEach(async () => {
    await dropTables(database, prefix);
  });
  afterAll(async () => {
    await admin.end();
  });

  describeCorruptedRows('MySqlStorage', () => ({
    storage: () => makeStorage(uri, { tablePrefix: prefix }),
    corrupt: async (id, kind) => void (await admin.query(UPDATES[kind], [id])),
    recordNewerSchema: async () => void (await admin.query(`INSERT INTO ${prefix}migrations (version, name) VALUES (999, 'future')`)),
    forgetNewerSchema: async () => void (await admin.query(`DELETE FROM ${prefix}migrations WHERE version = 999`)),
  }));
});
