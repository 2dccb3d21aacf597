import type { TaskGroup, TaskGroupRequest, TimelineBucket, TimelineRequest } from 'evertask';
import { groupsFromRows, timelineBucketCount, timelineFromRows } from 'evertask/storage-kit';
import type { SelectQueryBuilder } from 'kysely';
import type { DbRow } from '../database.js';
import type { QueryContext } from './context.js';

const STORAGE = 'KyselyStorage';

/**
 * The statistics (arguments checked by the storage): each call is one grouped statement —
 * `GROUP BY (bucket, status)` or `(name | queue, status)` — over a range of the creation index or
 * the whole table; the kit folds the rows.
 */
export class StatisticsQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  async countExecutionLogs(taskId: string, levels: readonly string[] | undefined): Promise<number> {
    const row = await this.#context.connection.run(
      'countExecutionLogs',
      (db) => {
        let query = db.selectFrom(this.#context.tables.executionLogs).select((eb) => eb.fn.countAll().as('n')).where('task_id', '=', taskId);
        if (levels !== undefined) query = query.where('level', 'in', levels);
        return query.executeTakeFirst();
      },
      { idempotent: true },
    );
    return Number(row?.n ?? 0);
  }

  async taskTimeline(request: TimelineRequest): Promise<TimelineBucket[]> {
    if (timelineBucketCount(request) === 0) return [];
    const { connection, tables } = this.#context;
    const rows = await connection.run(
      'taskTimeline',
      (db) => {
        let query = db
          .selectFrom(tables.tasks)
          .select([connection.dialect.slotOf('created_at', request.from, request.bucketMs).as('slot'), 'status'])
          .where('created_at', '>=', request.from)
          .where('created_at', '<', request.to);
        if (request.queue !== undefined) query = query.where('queue', '=', request.queue);
        return aggregates(query).groupBy(['slot', 'status']).execute();
      },
      { idempotent: true },
    );
    return timelineFromRows(rows as DbRow[], request, STORAGE);
  }

  async taskGroups(request: TaskGroupRequest): Promise<TaskGroup[]> {
    const column = request.groupBy === 'name' ? 'name' : 'queue';
    const rows = await this.#context.connection.run(
      'taskGroups',
      (db) => {
        let query = db.selectFrom(this.#context.tables.tasks).select([`${column} as slot`, 'status']);
        if (request.from !== undefined) query = query.where('created_at', '>=', request.from);
        if (request.to !== undefined) query = query.where('created_at', '<', request.to);
        if (request.queue !== undefined) query = query.where('queue', '=', request.queue);
        return aggregates(query).groupBy([column, 'status']).execute();
      },
      { idempotent: true },
    );
    return groupsFromRows(rows as DbRow[], STORAGE);
  }
}

/** The aggregates of one (slot, status) group, as the kit's statistics rows name them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function aggregates(query: SelectQueryBuilder<any, any, any>) {
  return query.select((eb) => [
    eb.fn.countAll().as('n'),
    eb.fn.count('execution_time_ms').as('timed'),
    eb.fn.sum('execution_time_ms').as('total_ms'),
    eb.fn.min('execution_time_ms').as('min_ms'),
    eb.fn.max('execution_time_ms').as('max_ms'),
  ]);
}
