import { describeConformanceOn } from './conformance-suites.js';
import { describeFor, usePostgres } from './kysely-test-helpers.js';

const describeDb = await describeFor('postgres');

describeDb('KyselyStorage on postgres', () => {
  describeConformanceOn(usePostgres(import.meta.url), 'kypo_');
});
