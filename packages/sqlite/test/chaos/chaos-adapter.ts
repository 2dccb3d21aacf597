/**
 * The chaos suite on SQLite: the workers share one database file in a temporary folder (WAL,
 * several processes). No network, so no connection cut, and no server to restart: SIGKILLs and
 * skewed clocks only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChaosAdapter } from '../../../evertask/test/support/chaos/chaos-run.js';
import { SqliteStorage } from '../../src/index.js';

/** What a SQLite chaos worker needs. */
export interface SqliteChaosStorage {
  filename: string;
}

export const sqliteChaos: ChaosAdapter<SqliteChaosStorage> = {
  storage: 'sqlite',
  workerScript: join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'chaos-worker.ts'),
  sweepInterval: '250ms',
  setUp: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evertask-chaos-sqlite-'));
    const filename = join(dir, 'tasks.db');
    return {
      workerStorage: () => ({ filename }),
      readStorage: () => new SqliteStorage({ filename, busyTimeoutMs: 20_000 }),
      close: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
};
