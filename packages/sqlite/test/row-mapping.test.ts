import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { SqliteStorage } from '../src/index.js';
import { T0, makeTask } from './helpers.js';
import { useFreshStorage } from './fresh-storage.js';
import { countExecutionLogs } from 'evertask';

describe('SQLite row mapping', () => {
  const fixture = useFreshStorage();

  it('stores the largest times and counts of the contract and returns numbers from a safe-integers database', async () => {
    const { storage } = fixture;
    const task = makeTask({ createdAt: T0, dueAt: 8_640_000_000_000_000, runUntil: -8_640_000_000_000_000, attempts: 2_147_483_647 });
    await storage.add([task]);
    expect(await storage.get(task.id)).toEqual(task);

    const db = new Database(':memory:');
    db.defaultSafeIntegers(true);
    const safe = new SqliteStorage({ database: db });
    await safe.open();
    const other = makeTask({ attempts: 3, dueAt: 8_640_000_000_000_000 });
    await safe.add([other]);
    expect(await safe.get(other.id)).toEqual(other);
    expect(await countExecutionLogs(safe, other.id)).toBe(0);
    expect(await safe.count()).toEqual([{ queue: 'default', status: 'waiting', count: 1 }]);
    await safe.close();
    db.close();
  });
});
