/**
 * The chaos suite on PostgreSQL: a throwaway cluster of the run's own (`throwaway-postgres.ts`);
 * the workers connect through the suite's TCP proxy and wake each other with LISTEN/NOTIFY.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChaosAdapter } from '../../../evertask/test/support/chaos/chaos-run.js';
import { PostgresStorage } from '../../src/index.js';
import { ThrowawayPostgres } from './throwaway-postgres.js';

/** What a PostgreSQL chaos worker needs. */
export interface PostgresChaosStorage {
  connectionString: string;
}

export const postgresChaos: ChaosAdapter<PostgresChaosStorage> = {
  storage: 'postgres',
  workerScript: join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'chaos-worker.ts'),
  setUp: async () => {
    const server = new ThrowawayPostgres();
    await server.start();
    const viaPort = (port: number) => {
      const url = new URL(server.url);
      url.port = String(port);
      return url.toString();
    };
    return {
      target: { host: '127.0.0.1', port: server.port },
      workerStorage: (port) => ({ connectionString: viaPort(port ?? server.port) }),
      readStorage: () => new PostgresStorage({ connectionString: server.url, max: 4 }),
      restartServer: () => server.restart(),
      close: () => server.destroy(),
    };
  },
};
