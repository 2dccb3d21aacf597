import { afterAll, beforeEach } from 'vitest';
import Database from 'better-sqlite3';
import { SqliteStorage } from '../src/index.js';
import { describeCorruptedRows, type RowCorruption } from '../../evertask/test/support/corrupted-rows.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let file = '';
let files = 0;
beforeEach(() => {
  file = tmp.file(`corrupted-${++files}.db`);
});

const UPDATES: Record<RowCorruption, string> = {
  'invalid-json-payload': `UPDATE evertask_tasks SET payload = '{"n": 0,' WHERE id = ?`,
  'unknown-task-name': `UPDATE evertask_tasks SET name = 'renamed-by-hand' WHERE id = ?`,
  'impossible-status': `UPDATE evertask_tasks SET status = 'exploded' WHERE id = ?`,
  'wrong-type': `UPDATE evertask_tasks SET created_at = 'yesterday' WHERE id = ?`,
};

/** Runs `statements` on a second connection to the test's file, outside EverTask. */
function onFile(run: (db: Database.Database) => void): void {
  const db = new Database(file);
  try {
    db.pragma('ignore_check_constraints = ON');
    run(db);
  } finally {
    db.close();
  }
}

describeCorruptedRows('SqliteStorage', () => ({
  storage: () => new SqliteStorage({ filename: file }),
  corrupt: async (id, kind) => onFile((db) => db.prepare(UPDATES[kind]).run(id)),
  recordNewerSchema: async () => onFile((db) => db.prepare('INSERT INTO evertask_migrations (version, name, applied_at) VALUES (999, ?, 0)').run('future')),
  forgetNewerSchema: async () => onFile((db) => db.prepare('DELETE FROM evertask_migrations WHERE version = 999').run()),
}));
