import { StorageError } from 'evertask';
import type { Redis } from 'ioredis';
import type { KeyNames } from './keys.js';

/**
 * The layout version of the keys this package reads and writes. Version 1 is the first layout,
 * so there is nothing to migrate yet: `open()` records the version (HSETNX, so concurrent starts
 * agree) and refuses a deployment written by a newer layout. A later version adds its step here,
 * run under the migration lock (`SET <lock> <token> NX PX`).
 */
export const REDIS_LAYOUT_VERSION = 1;

/** Records the layout version of a new deployment and checks that of an existing one. */
export async function prepareLayout(client: Redis, keys: KeyNames): Promise<void> {
  await client.hsetnx(keys.meta, 'version', String(REDIS_LAYOUT_VERSION));
  const stored = await client.hget(keys.meta, 'version');
  const version = Number(stored);
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new StorageError(
      `RedisStorage found a malformed layout version ${JSON.stringify(stored)} in "${keys.meta}". ` +
        'The key was changed outside EverTask; restore it or delete the deployment\'s keys.',
    );
  }
  if (version > REDIS_LAYOUT_VERSION) {
    throw new StorageError(
      `RedisStorage: the keys under "${keys.base}" were written by a newer @evertask/redis (layout ${version}; this package reads ` +
        `layout ${REDIS_LAYOUT_VERSION}). Upgrade @evertask/redis in this application.`,
    );
  }
}
