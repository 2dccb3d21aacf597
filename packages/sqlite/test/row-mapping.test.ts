import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { SqliteStorage } from '../src/index.js';
import { T0, makeTask } from './helpers.js';
import { useFreshStorage } from './fresh-storage.js';

describe('SQLite row mapping', () => {
  const fixture = useFreshStorage();

  it('reads back fractional times unchanged and returns numbers from a safe-integers database', async () => {
    const { storage } = fixture;
    const task = makeTask({ createdAt: T0 + 0.5, dueAt: T0 + 0.25 });
    await storage.add([task]);
    const [claimed] = await storage.claimDue({ owner: 'o', now: T0 + 1.5, limit: 1, leaseMs: 2.25 });
    expect(claimed).toMatchObject({ id: task.id, createdAt: T0 + 0.5, leaseExpiresAt: T0 + 3.75 });

    const db = new Database(':memory:');
    db.defaultSafeIntegers(true);
    const safe = new SqliteStorage({ database: db });
    await safe.open();
    const other = makeTask({ attempts: 3 });
    await safe.add([other]);
    expect(await safe.get(other.id)).toEqual(other);
    expect(await safe.countExecutionLogs(other.id)).toBe(0);
    expect(await safe.count()).toEqual([{ queue: 'default', status: 'waiting', count: 1 }]);
    await safe.close();
    db.close();
  });
});
