import { describeEngineConformance, describeStorageConformance } from 'evertask/testing';
import type { MySqlStorage } from '../src/index.js';
import { describeWithMySql, dropTables, makeStorage, useDatabase } from './mysql-test-helpers.js';

const describeMySql = await describeWithMySql();
let n = 0;

describeMySql('MySqlStorage', () => {
  const { database, uri } = useDatabase(import.meta.url);
  /** A storage on tables of its own: every test starts from an empty database. */
  const fresh = () => makeStorage(uri, { tablePrefix: `t${++n}_` });

  describeStorageConformance('MySqlStorage', fresh, {
    destroy: async (storage) => dropTables(database, (storage as MySqlStorage).tablePrefix),
  });

  describeEngineConformance('MySqlStorage', fresh, {
    // a new pool on the same tables, as a restarted process would open
    reopen: (storage) => makeStorage(uri, { tablePrefix: (storage as MySqlStorage).tablePrefix }),
    destroy: async (storage) => dropTables(database, (storage as MySqlStorage).tablePrefix),
  });
});
