import { describeStoragePortProperties } from '../../../evertask/test/support/storage-port-properties.js';
import { describeWithMySql, dropTables, makeStorage, useDatabase } from '../mysql-test-helpers.js';

const describeMySql = await describeWithMySql();

describeMySql('MySQL port properties', () => {
  const { database, uri } = useDatabase(import.meta.url);
  const prefix = 'prop_';
  describeStoragePortProperties(
    'MySqlStorage',
    async () => {
      await dropTables(database, prefix);
      const storage = makeStorage(uri, { tablePrefix: prefix });
      await storage.open();
      return storage;
    },
    (storage) => storage.close(),
  );
});
