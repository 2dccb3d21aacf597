import {
  InvalidArgumentError,
  StorageError,
  TASK_STATUSES,
  type PendingCursor,
  type StatusCount,
  type StoredTask,
  type TaskFilter,
  type TaskPage,
  type TaskQueryResult,
  type TaskSortField,
  type TaskStatus,
} from 'evertask';
import type { QueryConfig } from 'pg';
import type { QueryContext } from '../connection.js';
import { checkInteger, checkStatuses, checkValue, isUuid } from '../input-validation.js';
import { rowToTask, taskSelectList, type TaskRow } from '../row-mapping.js';

/**
 * Sort expressions. Text sorts by code point (`COLLATE "C"`), the same order on every database
 * and in every adapter; nullable times sort their nulls last in both directions.
 */
const SORT_COLUMNS: Record<TaskSortField, { expr: string; nullable: boolean }> = {
  createdAt: { expr: 'created_at', nullable: false },
  updatedAt: { expr: 'updated_at', nullable: false },
  dueAt: { expr: 'due_at', nullable: true },
  lastExecutionAt: { expr: 'last_execution_at', nullable: true },
  status: { expr: 'status COLLATE "C"', nullable: false },
  name: { expr: 'name COLLATE "C"', nullable: false },
  queue: { expr: 'queue COLLATE "C"', nullable: false },
};

/**
 * Translates a filter into SQL conditions (pushing their values). Returns null when the filter
 * can match nothing (e.g. only non-UUID ids).
 */
function buildWhere(filter: TaskFilter, values: unknown[], op: string): string[] | null {
  if (typeof filter !== 'object' || filter === null) throw new InvalidArgumentError(`${op}: "filter" must be an object.`);
  const where: string[] = [];
  const param = (value: unknown, cast: string): string => {
    values.push(value);
    return `$${values.length}::${cast}`;
  };
  const text = (value: unknown, field: string): string => {
    if (typeof value !== 'string') throw new InvalidArgumentError(`${op}: "filter.${field}" must be a string.`);
    return value;
  };
  if (filter.ids !== undefined) {
    if (!Array.isArray(filter.ids) || !filter.ids.every((id) => typeof id === 'string')) {
      throw new InvalidArgumentError(`${op}: "filter.ids" must be an array of strings.`);
    }
    const ids = filter.ids.filter(isUuid);
    if (ids.length === 0) return null;
    where.push(`id = ANY (${param(ids, 'uuid[]')})`);
  }
  if (filter.statuses !== undefined) {
    const statuses = checkStatuses(filter.statuses, `${op}: "filter.statuses"`);
    if (statuses.length === 0) return null;
    where.push(`status = ANY (${param(statuses, 'text[]')})`);
  }
  if (filter.name !== undefined) where.push(`name = ${param(text(filter.name, 'name'), 'text')}`);
  if (filter.nameContains !== undefined) {
    where.push(`strpos(lower(name), lower(${param(text(filter.nameContains, 'nameContains'), 'text')})) > 0`);
  }
  if (filter.queue !== undefined) where.push(`queue = ${param(text(filter.queue, 'queue'), 'text')}`);
  if (filter.taskKey !== undefined) where.push(`task_key = ${param(text(filter.taskKey, 'taskKey'), 'text')}`);
  if (filter.recurring !== undefined) {
    if (typeof filter.recurring !== 'boolean') throw new InvalidArgumentError(`${op}: "filter.recurring" must be a boolean.`);
    where.push(filter.recurring ? 'recurring IS NOT NULL' : 'recurring IS NULL');
  }
  if (filter.createdAfter !== undefined) {
    checkValue('time', filter.createdAfter, `${op}: "filter.createdAfter"`);
    where.push(`created_at >= ${param(filter.createdAfter, 'int8')}`);
  }
  if (filter.createdBefore !== undefined) {
    checkValue('time', filter.createdBefore, `${op}: "filter.createdBefore"`);
    where.push(`created_at < ${param(filter.createdBefore, 'int8')}`);
  }
  if (filter.search !== undefined) {
    const p = param(text(filter.search, 'search'), 'text');
    where.push(`(strpos(lower(name), lower(${p})) > 0 OR strpos(lower(coalesce(task_key, '')), lower(${p})) > 0)`);
  }
  return where;
}

/** Reads of tasks: by id or key, the pending and scheduled scans, filtered pages and counts. */
export class ReadQueries {
  readonly #context: QueryContext;
  readonly #sql: { get: string; getByKey: string; pending: string; pendingAfter: string; scheduled: string };

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
      scheduled: `SELECT ${cols} FROM ${s}.tasks
WHERE status = 'waiting' AND due_at <= $1::int8 ORDER BY due_at, tasks.id LIMIT $2`,
    };
  }

  async get(id: string): Promise<StoredTask | undefined> {
    const connection = this.#context.connection;
    if (!isUuid(id)) return undefined;
    const res = await connection.run<TaskRow>('get', connection.statement('get', this.#sql.get, [id]));
    const row = res.rows[0];
    return row === undefined ? undefined : rowToTask(row);
  }

  async getByTaskKey(taskKey: string): Promise<StoredTask | undefined> {
    const connection = this.#context.connection;
    if (typeof taskKey !== 'string') throw new InvalidArgumentError('getByTaskKey: "taskKey" must be a string.');
    const res = await connection.run<TaskRow>('getByTaskKey', connection.statement('get_by_key', this.#sql.getByKey, [taskKey]));
    const row = res.rows[0];
    return row === undefined ? undefined : rowToTask(row);
  }

  async pending(after: PendingCursor | undefined, limit: number): Promise<StoredTask[]> {
    const connection = this.#context.connection;
    checkInteger(limit, 'pending: "limit"', 0);
    if (limit === 0) return [];
    let config: QueryConfig;
    if (after === undefined) {
      config = connection.statement('pending', this.#sql.pending, [limit]);
    } else {
      checkValue('time', after.createdAt, 'pending: "after.createdAt"');
      if (typeof after.id !== 'string') throw new InvalidArgumentError('pending: "after.id" must be a string.');
      // A non-UUID cursor id sorts like its text; clamp it to the UUID range.
      const id = isUuid(after.id) ? after.id : after.id < '0' ? '00000000-0000-0000-0000-000000000000' : 'ffffffff-ffff-ffff-ffff-ffffffffffff';
      config = connection.statement('pending_after', this.#sql.pendingAfter, [limit, after.createdAt, id]);
    }
    const res = await connection.run<TaskRow>('pending', config);
    return res.rows.map(rowToTask);
  }

  async scheduled(until: number, limit: number): Promise<StoredTask[]> {
    const connection = this.#context.connection;
    checkValue('time', until, 'scheduled: "until"');
    checkInteger(limit, 'scheduled: "limit"', 0);
    if (limit === 0) return [];
    const res = await connection.run<TaskRow>('scheduled', connection.statement('scheduled', this.#sql.scheduled, [until, limit]));
    return res.rows.map(rowToTask);
  }

  async query(filter: TaskFilter, page: TaskPage = {}): Promise<TaskQueryResult> {
    const connection = this.#context.connection;
    const values: unknown[] = [];
    const where = buildWhere(filter ?? {}, values, 'query');
    if (typeof page !== 'object' || page === null) throw new InvalidArgumentError('query: "page" must be an object.');
    const offset = checkInteger(page.offset ?? 0, 'query: "page.offset"', 0);
    const limit = checkInteger(page.limit ?? 50, 'query: "page.limit"', 0);
    const sortBy = page.sortBy ?? 'createdAt';
    const column = SORT_COLUMNS[sortBy];
    if (column === undefined) {
      throw new InvalidArgumentError(`query: "page.sortBy" must be one of ${Object.keys(SORT_COLUMNS).join(', ')}; received ${String(sortBy)}.`);
    }
    const dir = page.descending === false ? 'ASC' : 'DESC';
    if (where === null) return { items: [], total: 0 };
    const s = this.#context.quotedSchema;
    const whereSql = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
    values.push(limit, offset);
    const res = await connection.run<TaskRow & { total: string }>('query', {
      text: `SELECT ${taskSelectList()}, count(*) OVER () AS total FROM ${s}.tasks ${whereSql}
ORDER BY ${column.expr} ${dir}${column.nullable ? ' NULLS LAST' : ''}, tasks.id ${dir} LIMIT $${values.length - 1} OFFSET $${values.length}`,
      values,
    });
    let total: number;
    const first = res.rows[0];
    if (first !== undefined) {
      total = Number(first.total);
    } else if (offset === 0 && limit > 0) {
      total = 0;
    } else {
      const count = await connection.run<{ n: number }>('query', {
        text: `SELECT count(*)::int AS n FROM ${s}.tasks ${whereSql}`,
        values: values.slice(0, -2),
      });
      total = count.rows[0]?.n ?? 0;
    }
    return { items: res.rows.map(rowToTask), total };
  }

  async count(filter: TaskFilter = {}): Promise<StatusCount[]> {
    const connection = this.#context.connection;
    const values: unknown[] = [];
    const where = buildWhere(filter ?? {}, values, 'count');
    if (where === null) return [];
    const s = this.#context.quotedSchema;
    const whereSql = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
    const res = await connection.run<{ queue: string; status: string; n: number }>('count', {
      text: `SELECT queue, status, count(*)::int AS n FROM ${s}.tasks ${whereSql} GROUP BY queue, status ORDER BY queue, status`,
      values,
    });
    return res.rows.map((row) => {
      if (!TASK_STATUSES.includes(row.status as TaskStatus)) {
        throw new StorageError(`PostgresStorage read a malformed row: unknown status ${JSON.stringify(row.status)} in column "status" of ${this.#context.schema}.tasks.`);
      }
      return { queue: row.queue, status: row.status as TaskStatus, count: row.n };
    });
  }
}
