/** Both conformance suites on one database, each test on tables under a fresh prefix. */
import { describeEngineConformance, describeStorageConformance } from 'evertask/testing';
import type { KyselyStorage } from '../src/index.js';
import { makeStorage, type TestDatabase } from './kysely-test-helpers.js';

export function describeConformanceOn(database: TestDatabase, filePrefix: string): void {
  let n = 0;
  const fresh = () => makeStorage(database, `${filePrefix}${++n}_`);
  const destroy = async (storage: unknown) => database.dropPrefix((storage as KyselyStorage).tablePrefix);
  describeStorageConformance(`KyselyStorage (${database.dialect})`, fresh, { destroy });
  describeEngineConformance(`KyselyStorage (${database.dialect})`, fresh, {
    // a second storage on the same tables, as a restarted process would open
    reopen: (storage) => makeStorage(database, (storage as KyselyStorage).tablePrefix),
    destroy,
  });
}
