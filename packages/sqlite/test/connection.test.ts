import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { StorageError, uuidv7 } from 'evertask';
import { SqliteStorage } from '../src/index.js';
import { makeTask } from './helpers.js';
import { useFreshStorage } from './fresh-storage.js';

describe('SQLite connection', () => {
  const fixture = useFreshStorage();

  it('throws a StorageError when used before open() or after close(), and reopens', async () => {
    const { tmp } = fixture;
    const other = new SqliteStorage({ filename: tmp.file('other.db') });
    await expect(other.get(uuidv7())).rejects.toThrow(/not open/);
    await other.open();
    await other.open();
    const task = makeTask();
    await other.add([task]);
    await other.close();
    await other.close();
    await expect(other.get(task.id)).rejects.toBeInstanceOf(StorageError);
    await other.open();
    expect((await other.get(task.id))?.id).toBe(task.id);
    await other.close();
  });

  it('works on a handed-in database, with a table prefix, and never closes it', async () => {
    const { tmp } = fixture;
    const db = new Database(tmp.file('shared.db'));
    const a = new SqliteStorage({ database: db, tablePrefix: 'app1_' });
    const b = new SqliteStorage({ database: db, tablePrefix: 'app2_' });
    await a.open();
    await b.open();
    const task = makeTask();
    await a.add([task]);
    expect(await b.get(task.id)).toBeUndefined();
    expect((await a.get(task.id))?.id).toBe(task.id);
    await a.close();
    await b.close();
    expect(db.open).toBe(true);
    expect(db.prepare('SELECT COUNT(*) AS n FROM app1_tasks').get()).toEqual({ n: 1 });
    db.close();
  });

  it('opens once for concurrent open() calls, and refuses a handed-in database its owner closed', async () => {
    const { tmp } = fixture;
    const db = new Database(tmp.file('owned-by-app.db'));
    const storage = new SqliteStorage({ database: db });
    await Promise.all([storage.open(), storage.open(), storage.open()]);
    const task = makeTask();
    await storage.add([task]);
    db.close();
    await expect(storage.get(task.id)).rejects.toThrow(/owned-by-app\.db.*closed by its owner/);
    await storage.close();
    const again = new SqliteStorage({ database: db });
    const error = await again.open().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toMatch(/owned-by-app\.db.*handed in as "database" is closed/);
  });
});
