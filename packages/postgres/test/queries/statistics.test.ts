import { expect, it } from 'vitest';
import { describeWithPostgres, makeTask, useStorage } from '../pg-test-helpers.js';
import { groupsStatement, timelineStatement } from '../../src/queries/statistics.js';

const describePg = await describeWithPostgres();
const T = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

describePg('PostgresStorage statistics', () => {
  const fixture = useStorage(import.meta.url);

  it('a timeline or groups over a creation range read the creation index only (EXPLAIN)', async () => {
    const { admin, schema } = fixture;
    // 20,000 tasks over 20 days: an hour holds about 40, so the planner prefers the index range
    await admin.query(
      `INSERT INTO "${schema}".tasks (id, name, payload, status, queue, audit_level, created_at, updated_at, execution_time_ms)
       SELECT md5(i::text)::uuid, 'task-' || (i % 5), '{}', CASE WHEN i % 3 = 0 THEN 'failed' ELSE 'completed' END, 'q' || (i % 3), 'none',
         $1::int8 + i * 86400, $1::int8 + i * 86400, i % 100
       FROM generate_series(0, 19999) i`,
      [T],
    );
    await admin.query(`VACUUM ANALYZE "${schema}".tasks`);
    const plan = async (config: { text: string; values?: unknown[] }): Promise<string> => {
      const res = await admin.query<{ 'QUERY PLAN': string }>({ text: `EXPLAIN ${config.text}`, values: config.values ?? [] });
      return res.rows.map((row) => row['QUERY PLAN']).join('\n');
    };
    const quoted = `"${schema}"`;
    expect(await plan(timelineStatement(quoted, { from: T, to: T + HOUR, bucketMs: 60_000 }))).toContain('Index Only Scan using tasks_created_idx');
    expect(await plan(groupsStatement(quoted, { groupBy: 'name', from: T, to: T + HOUR }))).toContain('Index Only Scan using tasks_created_idx');
    // and the figures are those of the rows: 20,000 tasks, a third failed
    const groups = await fixture.storage.taskGroups({ groupBy: 'queue' });
    expect(groups.map((group) => [group.key, group.total])).toEqual([['q0', 6667], ['q1', 6667], ['q2', 6666]]);
    expect(groups.reduce((sum, group) => sum + group.counts.failed, 0)).toBe(6667);
  });

  it('a status changed outside EverTask is a StorageError naming the column', async () => {
    const t = makeTask({ status: 'completed', executionTimeMs: 5, lastExecutionAt: 1_700_000_000_005 });
    await fixture.storage.add([t]);
    await fixture.admin.query(`UPDATE "${fixture.schema}".tasks SET status = 'running' WHERE id = $1`, [t.id]);
    await expect(fixture.storage.taskGroups({ groupBy: 'name' })).rejects.toThrow(/malformed statistics row: column "status" holds "running"/);
  });
});
