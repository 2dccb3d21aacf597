/**
 * The engine on MySQL/MariaDB through a TCP proxy that is cut mid-run (the shared test of
 * `evertask/test/support/connection-cut.ts`).
 */
import { testConnectionCut } from '../../evertask/test/support/connection-cut.js';
import { MySqlStorage } from '../src/index.js';
import { describeWithMySql, makeStorage, useDatabase } from './mysql-test-helpers.js';

const describeMySql = await describeWithMySql();

describeMySql('EverTask on MySQL through a connection outage', () => {
  const { uri } = useDatabase(import.meta.url);
  testConnectionCut({
    serverUrl: uri,
    defaultPort: 3306,
    storageThrough: (url) => new MySqlStorage({ uri: url }),
    readStorage: () => makeStorage(uri, { connectionLimit: 2 }),
  });
});
