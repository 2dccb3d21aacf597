import { describeConformanceOn } from './conformance-suites.js';
import { describeFor, useSqlite } from './kysely-test-helpers.js';

const describeDb = await describeFor('sqlite');

describeDb('KyselyStorage on sqlite', () => {
  describeConformanceOn(useSqlite(), 'kysq_');
});
