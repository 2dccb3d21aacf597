import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TaskStorage } from 'evertask';
import { SqliteStorage } from '@evertask/sqlite';
import { PostgresStorage } from '@evertask/postgres';
import type { SoakStorageName } from './soak-options.js';

/** PostgreSQL the soak uses (`EVERTASK_TEST_PG_URL`, as the tests). @defaultValue postgres://postgres@127.0.0.1:5432/test */
export const SOAK_PG_URL = process.env.EVERTASK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A storage of its own for one soak run, and how to remove it afterwards. */
export interface SoakStorage {
  storage: TaskStorage;
  /** What the report names: a file or a schema. */
  where: string;
  dispose(): Promise<void>;
}

/** A fresh SQLite file in a temporary folder, or a fresh PostgreSQL schema named after this process. */
export function createSoakStorage(name: SoakStorageName): SoakStorage {
  if (name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'evertask-soak-'));
    const filename = join(dir, 'soak.db');
    return { storage: new SqliteStorage({ filename }), where: filename, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `evertask_soak_${process.pid}_${Date.now()}`;
  return {
    storage: new PostgresStorage({ connectionString: SOAK_PG_URL, schema }),
    where: `schema ${schema}`,
    async dispose() {
      const client = new pg.Client({ connectionString: SOAK_PG_URL });
      client.on('error', () => undefined);
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
