import type { PendingCursor, StatusCount, StoredTask, TaskFilter, TaskQueryResult, TaskSortField } from 'evertask';
import type { QueryConfig } from 'pg';
import type { QueryContext } from '../connection.js';
import { SPEC_OF_FIELD, type ResolvedTaskPage } from 'evertask/storage-kit';
import { readers, taskSelectList, type TaskRow } from '../row-mapping.js';

/**
 * The sort expression of a field: text sorts by code point (`COLLATE "C"`), the same order on every
 * database and in every adapter; nullable times sort their nulls last in both directions.
 */
function sortExpression(field: TaskSortField, direction: 'ASC' | 'DESC'): string {
  const spec = SPEC_OF_FIELD[field];
  const column = spec.type === 'time' ? spec.column : `${spec.column} COLLATE "C"`;
  return `${column} ${direction}${spec.nullable ? ' NULLS LAST' : ''}`;
}

/**
 * Translates a checked filter into SQL conditions (pushing their values). Returns null when the
 * filter can match nothing (an empty list of ids or statuses).
 */
function buildWhere(filter: TaskFilter, values: unknown[]): string[] | null {
  const where: string[] = [];
  const param = (value: unknown, cast: string): string => {
    values.push(value);
    return `$${values.length}::${cast}`;
  };
  if (filter.ids !== undefined) {
    if (filter.ids.length === 0) return null;
    where.push(`id = ANY (${param(filter.ids, 'uuid[]')})`);
  }
  if (filter.statuses !== undefined) {
    if (filter.statuses.length === 0) return null;
    where.push(`status = ANY (${param(filter.statuses, 'text[]')})`);
  }
  if (filter.name !== undefined) where.push(`name = ${param(filter.name, 'text')}`);
  if (filter.nameContains !== undefined) {
    where.push(`strpos(lower(name), lower(${param(filter.nameContains, 'text')})) > 0`);
  }
  if (filter.queue !== undefined) where.push(`queue = ${param(filter.queue, 'text')}`);
  if (filter.taskKey !== undefined) where.push(`task_key = ${param(filter.taskKey, 'text')}`);
  if (filter.recurring !== undefined) {
    where.push(filter.recurring ? 'recurring IS NOT NULL' : 'recurring IS NULL');
  }
  if (filter.createdAfter !== undefined) {
    where.push(`created_at >= ${param(filter.createdAfter, 'int8')}`);
  }
  if (filter.createdBefore !== undefined) {
    where.push(`created_at < ${param(filter.createdBefore, 'int8')}`);
  }
  if (filter.dueBefore !== undefined) where.push(`due_at < ${param(filter.dueBefore, 'int8')}`);
  if (filter.search !== undefined) {
    const p = param(filter.search, 'text');
    where.push(`(strpos(lower(name), lower(${p})) > 0 OR strpos(lower(coalesce(task_key, '')), lower(${p})) > 0)`);
  }
  return where;
}

/** Reads of tasks (arguments checked by the storage): by id or key, the pending scan, filtered pages and counts. */
export class ReadQueries {
  readonly #context: QueryContext;
  readonly #sql: { get: string; getByKey: string; pending: string; pendingAfter: string };

  constructor(context: QueryContext) {
    this.#context = context;
    const s = context.quotedSchema;
    const cols = taskSelectList();
    this.#sql = {
      get: `SELECT ${cols} FROM ${s}.tasks WHERE id = $1::uuid`,
      getByKey: `SELECT ${cols} FROM ${s}.tasks WHERE task_key = $1::text`,
      pending: `SELECT ${cols} FROM ${s}.tasks
WHERE status IN ('waiting', 'queued', 'in-progress', 'service-stopped')
ORDER BY created_at, tasks.id LIMIT $1`,
      pendingAfter: `SELECT ${cols} FROM ${s}.tasks
WHERE status IN ('waiting', 'queued', 'in-progress', 'service-stopped') AND (created_at, id) > ($2::int8, $3::uuid)
ORDER BY created_at, tasks.id LIMIT $1`,
    };
  }

  async get(id: string): Promise<StoredTask | undefined> {
    const connection = this.#context.connection;
    const res = await connection.run<TaskRow>('get', connection.statement('get', this.#sql.get, [id]));
    const row = res.rows[0];
    return row === undefined ? undefined : readers.task(row);
  }

  async getByTaskKey(taskKey: string): Promise<StoredTask | undefined> {
    const connection = this.#context.connection;
    const res = await connection.run<TaskRow>('getByTaskKey', connection.statement('get_by_key', this.#sql.getByKey, [taskKey]));
    const row = res.rows[0];
    return row === undefined ? undefined : readers.task(row);
  }

  async pending(after: PendingCursor | undefined, limit: number): Promise<StoredTask[]> {
    const connection = this.#context.connection;
    let config: QueryConfig;
    if (after === undefined) {
      config = connection.statement('pending', this.#sql.pending, [limit]);
    } else {
      config = connection.statement('pending_after', this.#sql.pendingAfter, [limit, after.createdAt, after.id]);
    }
    const res = await connection.run<TaskRow>('pending', config);
    return res.rows.map(readers.task);
  }

  async query(filter: TaskFilter, page: ResolvedTaskPage): Promise<TaskQueryResult> {
    const connection = this.#context.connection;
    const values: unknown[] = [];
    const where = buildWhere(filter, values);
    const { offset, limit } = page;
    const dir = page.descending ? 'DESC' : 'ASC';
    if (where === null) return { items: [], total: 0 };
    const s = this.#context.quotedSchema;
    const whereSql = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
    values.push(limit, offset);
    // One statement, one snapshot, two plans: the page walks the sort order and stops after
    // offset + limit rows; the total counts the matching rows apart (a window count over the page
    // query would read every matching row in full before the LIMIT applies). The join keeps no
    // order, so the page rows are sorted again (at most `limit` of them).
    const res = await connection.run<TaskRow & { total: string }>('query', {
      text: `WITH page AS (
  SELECT ${taskSelectList()} FROM ${s}.tasks ${whereSql}
  ORDER BY ${sortExpression(page.sortBy, dir)}, tasks.id ${dir} LIMIT $${values.length - 1} OFFSET $${values.length}
), total AS (SELECT count(*) AS total FROM ${s}.tasks ${whereSql})
SELECT total.total, page.* FROM total LEFT JOIN page ON true
ORDER BY ${sortExpression(page.sortBy, dir)}, page.id::uuid ${dir}`,
      values,
    });
    const total = Number(res.rows[0]?.total ?? 0);
    const rows = res.rows.filter((row) => row.id !== null);
    return { items: rows.map(readers.task), total };
  }

  async count(filter: TaskFilter): Promise<StatusCount[]> {
    const connection = this.#context.connection;
    const values: unknown[] = [];
    const where = buildWhere(filter, values);
    if (where === null) return [];
    const s = this.#context.quotedSchema;
    const whereSql = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
    const res = await connection.run<Record<string, unknown>>('count', {
      text: `SELECT queue, status, count(*)::int AS n FROM ${s}.tasks ${whereSql} GROUP BY queue, status ORDER BY queue, status`,
      values,
    });
    return res.rows.map((row) => readers.statusCount(row));
  }
}
