/**
 * The short chaos run on PostgreSQL (`evertask/test/support/chaos/`), on a throwaway cluster of its
 * own (initdb + pg_ctl on a free port), never the machine's shared server.
 */
import { testChaos } from '../../evertask/test/support/chaos/chaos-test.js';
import { postgresChaos } from './chaos/chaos-adapter.js';
import { describeWithPostgres } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();

describePg('EverTask on PostgreSQL under chaos', () => {
  testChaos(postgresChaos);
});
