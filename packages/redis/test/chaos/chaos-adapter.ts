/**
 * The chaos suite on Redis: a throwaway `redis-server` of the run's own (`../throwaway-redis.ts`)
 * with the append-only file synced on every write (`appendfsync always`), so that a SIGKILL of the
 * server loses nothing it acknowledged; the workers connect through the suite's TCP proxy.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChaosAdapter } from '../../../evertask/test/support/chaos/chaos-run.js';
import { throwawayBackend } from '../../../evertask/test/support/chaos/throwaway-backend.js';
import { RedisStorage } from '../../src/index.js';
import { ThrowawayRedis } from '../throwaway-redis.js';

/** What a Redis chaos worker needs. */
export interface RedisChaosStorage {
  url: string;
}

export const redisChaos: ChaosAdapter<RedisChaosStorage> = {
  storage: 'redis',
  workerScript: join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'chaos-worker.ts'),
  setUp: () =>
    throwawayBackend(
      new ThrowawayRedis(['--appendonly', 'yes', '--appendfsync', 'always']),
      (url) => ({ url }),
      (url) => new RedisStorage({ url }),
    ),
};
