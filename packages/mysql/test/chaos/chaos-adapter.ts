/**
 * The chaos suite on MariaDB: a throwaway server of the run's own (`throwaway-mariadb.ts`); the
 * workers connect through the suite's TCP proxy and, without a notification channel, find each
 * other's work with a short sweep.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChaosAdapter } from '../../../evertask/test/support/chaos/chaos-run.js';
import { throwawayBackend } from '../../../evertask/test/support/chaos/throwaway-backend.js';
import { MySqlStorage } from '../../src/index.js';
import { ThrowawayMariaDb } from './throwaway-mariadb.js';

/** What a MySQL chaos worker needs. */
export interface MySqlChaosStorage {
  uri: string;
}

export const mysqlChaos: ChaosAdapter<MySqlChaosStorage> = {
  storage: 'mysql',
  workerScript: join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'chaos-worker.ts'),
  sweepInterval: '250ms',
  setUp: () => throwawayBackend(new ThrowawayMariaDb(), (uri) => ({ uri }), (uri) => new MySqlStorage({ uri, connectionLimit: 4 })),
};
