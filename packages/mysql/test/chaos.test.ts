/**
 * The short chaos run on MariaDB (`evertask/test/support/chaos/`), on a throwaway server of its own
 * (mariadb-install-db + mariadbd on a free port), never the machine's shared server.
 */
import { testChaos } from '../../evertask/test/support/chaos/chaos-test.js';
import { mysqlChaos } from './chaos/chaos-adapter.js';
import { describeWithMySql } from './mysql-test-helpers.js';

const describeMySql = await describeWithMySql();

describeMySql('EverTask on MySQL under chaos', () => {
  testChaos(mysqlChaos);
});
