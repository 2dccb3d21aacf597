import { describeSqlInjection } from '../../evertask/test/support/sql-injection.js';
import { adminConnection, describeWithMySql, dropTables, makeStorage, useDatabase } from './mysql-test-helpers.js';
import type mysql from 'mysql2/promise';

const describeMySql = await describeWithMySql();

describeMySql('MySQL SQL injection', () => {
  const { database, uri } = useDatabase(import.meta.url);
  const prefix = 'inject_';

  describeSqlInjection('MySqlStorage', () => ({
    open: async () => {
      await dropTables(database, prefix);
      const storage = makeStorage(uri, { tablePrefix: prefix });
      await storage.open();
      return storage;
    },
    close: (storage) => storage.close(),
    withIdentifier: (tablePrefix) => makeStorage(uri, { tablePrefix }),
    tables: async () => {
      const connection = await adminConnection(database);
      try {
        const [rows] = await connection.query<mysql.RowDataPacket[]>(
          'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1',
          [database],
        );
        return rows.map((row) => String(row.name));
      } finally {
        await connection.end();
      }
    },
  }));
});
