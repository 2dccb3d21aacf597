import type { TaskGroup, TaskGroupRequest, TimelineBucket, TimelineRequest } from 'evertask';
import { groupsFromRows, timelineBucketCount, timelineFromRows } from 'evertask/storage-kit';
import type { QueryConfig } from 'pg';
import type { QueryContext } from '../connection.js';

const STORAGE = 'PostgresStorage';

/** Aggregates of one (slot, status) group, as the kit's statistics rows name them. */
const AGGREGATES = `count(*)::int AS n, count(execution_time_ms)::int AS timed, sum(execution_time_ms) AS total_ms,
  min(execution_time_ms) AS min_ms, max(execution_time_ms) AS max_ms`;

/**
 * The statistics (arguments checked by the storage): each call is one grouped statement —
 * `GROUP BY (bucket, status)` or `(name | queue, status)` — that PostgreSQL aggregates in a hash
 * table in one pass over the matching rows (a creation-time range of `tasks_statistics_idx`
 * read index-only where the visibility map allows, migration 7); the kit folds the rows.
 */
export class StatisticsQueries {
  readonly #context: QueryContext;
  readonly #sql: { logCount: string; logCountOfLevels: string };

  constructor(context: QueryContext) {
    this.#context = context;
    const s = context.quotedSchema;
    this.#sql = {
      logCount: `SELECT count(*)::int AS n FROM ${s}.execution_logs WHERE task_id = $1::uuid`,
      logCountOfLevels: `SELECT count(*)::int AS n FROM ${s}.execution_logs WHERE task_id = $1::uuid AND level = ANY ($2::text[])`,
    };
  }

  async countExecutionLogs(taskId: string, levels: readonly string[] | undefined): Promise<number> {
    const connection = this.#context.connection;
    const config =
      levels === undefined
        ? connection.statement('log_count', this.#sql.logCount, [taskId])
        : connection.statement('log_count_of_levels', this.#sql.logCountOfLevels, [taskId, levels]);
    const res = await connection.run<{ n: number }>('countExecutionLogs', config);
    return res.rows[0]?.n ?? 0;
  }

  async taskTimeline(request: TimelineRequest): Promise<TimelineBucket[]> {
    if (timelineBucketCount(request) === 0) return [];
    const res = await this.#context.connection.run('taskTimeline', timelineStatement(this.#context.quotedSchema, request));
    return timelineFromRows(res.rows, request, STORAGE);
  }

  async taskGroups(request: TaskGroupRequest): Promise<TaskGroup[]> {
    const res = await this.#context.connection.run('taskGroups', groupsStatement(this.#context.quotedSchema, request));
    return groupsFromRows(res.rows, STORAGE);
  }
}

/** The timeline's one statement: `GROUP BY (bucket, status)` over a creation range. */
export function timelineStatement(quotedSchema: string, request: TimelineRequest): QueryConfig {
  const values: unknown[] = [request.from, request.to, request.bucketMs];
  const queue = request.queue === undefined ? '' : ` AND queue = $${values.push(request.queue)}::text`;
  return {
    text: `SELECT (created_at - $1::int8) / $3::int8 AS slot, status, ${AGGREGATES}
FROM ${quotedSchema}.tasks WHERE created_at >= $1::int8 AND created_at < $2::int8${queue}
GROUP BY 1, 2`,
    values,
  };
}

/** The groups' one statement: `GROUP BY (name | queue, status)`, optionally over a creation range and one queue. */
export function groupsStatement(quotedSchema: string, request: TaskGroupRequest): QueryConfig {
  const column = request.groupBy === 'name' ? 'name' : 'queue';
  const values: unknown[] = [];
  const where: string[] = [];
  if (request.from !== undefined) where.push(`created_at >= $${values.push(request.from)}::int8`);
  if (request.to !== undefined) where.push(`created_at < $${values.push(request.to)}::int8`);
  if (request.queue !== undefined) where.push(`queue = $${values.push(request.queue)}::text`);
  return {
    text: `SELECT ${column} AS slot, status, ${AGGREGATES}
FROM ${quotedSchema}.tasks${where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`}
GROUP BY 1, 2`,
    values,
  };
}
