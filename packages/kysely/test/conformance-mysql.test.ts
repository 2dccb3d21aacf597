import { describeConformanceOn } from './conformance-suites.js';
import { describeFor, useMySql } from './kysely-test-helpers.js';

const describeDb = await describeFor('mysql');

describeDb('KyselyStorage on mysql', () => {
  describeConformanceOn(useMySql(import.meta.url), 'kymy_');
});
