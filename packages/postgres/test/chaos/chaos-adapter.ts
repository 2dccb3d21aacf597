/**
 * The chaos suite on PostgreSQL: a throwaway cluster of the run's own (`throwaway-postgres.ts`);
 * the workers connect through the suite's TCP proxy and wake each other with LISTEN/NOTIFY.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChaosAdapter } from '../../../evertask/test/support/chaos/chaos-run.js';
import { throwawayBackend } from '../../../evertask/test/support/chaos/throwaway-backend.js';
import { PostgresStorage } from '../../src/index.js';
import { ThrowawayPostgres } from './throwaway-postgres.js';

/** What a PostgreSQL chaos worker needs. */
export interface PostgresChaosStorage {
  connectionString: string;
}

export const postgresChaos: ChaosAdapter<PostgresChaosStorage> = {
  storage: 'postgres',
  workerScript: join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'chaos-worker.ts'),
  setUp: () =>
    throwawayBackend(
      new ThrowawayPostgres(),
      (connectionString) => ({ connectionString }),
      (connectionString) => new PostgresStorage({ connectionString, max: 4 }),
    ),
};
