import type { TaskGroup, TaskGroupRequest, TimelineBucket, TimelineRequest } from 'evertask';
import { groupsFromRows, timelineBucketCount, timelineFromRows } from 'evertask/storage-kit';
import { rowsOf, type QueryContext } from '../connection.js';

const STORAGE = 'MySqlStorage';

/** Aggregates of one (slot, status) group, as the kit's statistics rows name them. */
const AGGREGATES = `COUNT(*) AS n, COUNT(execution_time_ms) AS timed, SUM(execution_time_ms) AS total_ms,
  MIN(execution_time_ms) AS min_ms, MAX(execution_time_ms) AS max_ms`;

/**
 * The statistics (arguments checked by the storage): each call is one grouped statement —
 * `GROUP BY (bucket, status)` or `(name | queue, status)` — over a range of the creation index
 * (`tasks_created_idx`) or the whole table; the kit folds the rows. Name and queue are LONGTEXT
 * (no length limit), so no index orders them: the server groups them in a temporary table.
 */
export class StatisticsQueries {
  readonly #context: QueryContext;
  readonly #sql: { logCount: string; logCountAtLevels: string };

  constructor(context: QueryContext) {
    this.#context = context;
    const { executionLogs } = context.tables;
    this.#sql = {
      logCount: `SELECT COUNT(*) AS n FROM ${executionLogs} WHERE task_id = ?`,
      logCountAtLevels: `SELECT COUNT(*) AS n FROM ${executionLogs} WHERE task_id = ? AND level IN (?)`,
    };
  }

  async countExecutionLogs(taskId: string, levels: readonly string[] | undefined): Promise<number> {
    const [sql, values] = levels === undefined ? [this.#sql.logCount, [taskId]] : [this.#sql.logCountAtLevels, [taskId, levels]];
    const rows = rowsOf(await this.#context.connection.run('countExecutionLogs', sql, values, { idempotent: true }));
    return Number(rows[0]?.['n'] ?? 0);
  }

  async taskTimeline(request: TimelineRequest): Promise<TimelineBucket[]> {
    if (timelineBucketCount(request) === 0) return [];
    const values: unknown[] = [request.from, request.bucketMs, request.from, request.to];
    if (request.queue !== undefined) values.push(request.queue);
    const sql = `SELECT (created_at - ?) DIV ? AS slot, status, ${AGGREGATES}
FROM ${this.#context.tables.tasks} WHERE created_at >= ? AND created_at < ?${request.queue === undefined ? '' : ' AND queue = ?'}
GROUP BY slot, status`;
    const rows = rowsOf(await this.#context.connection.run('taskTimeline', sql, values, { idempotent: true }));
    return timelineFromRows(rows, request, STORAGE);
  }

  async taskGroups(request: TaskGroupRequest): Promise<TaskGroup[]> {
    const column = request.groupBy === 'name' ? 'name' : 'queue';
    const values: unknown[] = [];
    const where: string[] = [];
    for (const [key, sql] of [['from', 'created_at >= ?'], ['to', 'created_at < ?'], ['queue', 'queue = ?']] as const) {
      if (request[key] === undefined) continue;
      where.push(sql);
      values.push(request[key]);
    }
    const sql = `SELECT ${column} AS slot, status, ${AGGREGATES}
FROM ${this.#context.tables.tasks}${where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`}
GROUP BY ${column}, status`;
    const rows = rowsOf(await this.#context.connection.run('taskGroups', sql, values, { idempotent: true }));
    return groupsFromRows(rows, STORAGE);
  }
}
