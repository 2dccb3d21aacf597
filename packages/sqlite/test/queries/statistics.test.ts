import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../src/index.js';
import { groupsSql, timelineSql } from '../../src/queries/statistics.js';
import { T0, makeTask, tempDir } from '../helpers.js';

const HOUR = 3_600_000;

describe('SQLite queries: statistics', () => {
  const open: { db: Database.Database; storage: SqliteStorage; tmp: ReturnType<typeof tempDir> }[] = [];
  afterEach(async () => {
    for (const { db, storage, tmp } of open.splice(0)) {
      await storage.close();
      db.close();
      tmp.cleanup();
    }
  });

  async function fresh() {
    const tmp = tempDir();
    const db = new Database(tmp.file());
    const storage = new SqliteStorage({ database: db });
    await storage.open();
    open.push({ db, storage, tmp });
    return { db, storage };
  }

  it('every statistics statement reads a covering index only (EXPLAIN QUERY PLAN)', async () => {
    const { db } = await fresh();
    const plan = (sql: string, params: Record<string, unknown>): string =>
      db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params).map((row) => (row as { detail: string }).detail).join(' | ');
    const timeline = plan(timelineSql('evertask_tasks', false), { buckets: 24, from: T0, to: T0 + 24 * HOUR, bucketMs: HOUR });
    expect(timeline).toContain('USING COVERING INDEX evertask_tasks_status (status=? AND created_at>? AND created_at<?)');
    expect(timeline).not.toContain('TEMP B-TREE');
    for (const column of ['name', 'queue'] as const) {
      const all = plan(groupsSql('evertask_tasks', column, []), {});
      expect(all).toContain(`USING COVERING INDEX evertask_tasks_${column}`);
      expect(all).not.toContain('TEMP B-TREE');
      const window = plan(groupsSql('evertask_tasks', column, ['created_at >= @from', 'created_at < @to']), { from: T0, to: T0 + HOUR });
      expect(window).toContain(`USING COVERING INDEX evertask_tasks_${column} (${column}=? AND status=? AND created_at>? AND created_at<?)`);
      expect(window).not.toContain('TEMP B-TREE');
    }
  });

  it('an execution time changed outside EverTask into text is a StorageError naming the column, not a wrong mean', async () => {
    const { db, storage } = await fresh();
    const task = makeTask({ status: 'completed', executionTimeMs: 12, lastExecutionAt: T0 + 12 });
    await storage.add([task]);
    db.prepare('UPDATE evertask_tasks SET execution_time_ms = ? WHERE id = ?').run('slow', task.id);
    await expect(storage.taskGroups({ groupBy: 'name' })).rejects.toThrow(/malformed statistics row: column "min_ms" holds "slow"/);
    await expect(storage.taskTimeline({ from: T0, to: T0 + HOUR, bucketMs: HOUR })).rejects.toMatchObject({ code: 'ERR_STORAGE' });
  });
});
