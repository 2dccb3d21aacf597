import { afterEach, beforeEach } from 'vitest';
import { SqliteStorage } from '../src/index.js';
import { tempDir } from './helpers.js';

/**
 * Gives each test of the calling suite an open storage on a fresh file in a fresh directory, closed
 * and removed after the test. Read `storage` and `tmp` inside the test (they change per test).
 */
export function useFreshStorage(): { storage: SqliteStorage; tmp: ReturnType<typeof tempDir> } {
  const fresh = {} as { storage: SqliteStorage; tmp: ReturnType<typeof tempDir> };
  beforeEach(async () => {
    fresh.tmp = tempDir();
    fresh.storage = new SqliteStorage({ filename: fresh.tmp.file() });
    await fresh.storage.open();
  });
  afterEach(async () => {
    await fresh.storage.close();
    fresh.tmp.cleanup();
  });
  return fresh;
}
