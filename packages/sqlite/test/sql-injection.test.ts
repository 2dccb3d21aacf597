import { afterAll } from 'vitest';
import Database from 'better-sqlite3';
import { SqliteStorage } from '../src/index.js';
import { describeSqlInjection } from '../../evertask/test/support/sql-injection.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let files = 0;
let file = '';

describeSqlInjection('SqliteStorage', () => ({
  open: async () => {
    file = tmp.file(`injection-${++files}.db`);
    const storage = new SqliteStorage({ filename: file });
    await storage.open();
    return storage;
  },
  close: (storage) => storage.close(),
  withIdentifier: (tablePrefix) => new SqliteStorage({ filename: tmp.file('never.db'), tablePrefix }),
  tables: async () => {
    const db = new Database(file, { readonly: true });
    try {
      return (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
    } finally {
      db.close();
    }
  },
}));
