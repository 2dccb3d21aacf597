import { it } from 'vitest';
import { describeWithPostgres } from '../../packages/postgres/test/pg-test-helpers.js';
import { expectShortSoakWithinBounds } from './soak-run.js';

const describePg = await describeWithPostgres();

describePg('soak on PostgreSQL', () => {
  it('a 50 s soak on PostgreSQL stays within the memory and row bounds', () => expectShortSoakWithinBounds('postgres'), 240_000);
});
