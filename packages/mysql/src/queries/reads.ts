import type { PendingCursor, StatusCount, StoredTask, TaskFilter, TaskQueryResult, TaskSortField } from 'evertask';
import { SPEC_OF_FIELD, type ResolvedTaskPage } from 'evertask/storage-kit';
import { rowsOf, type QueryContext } from '../connection.js';
import { readers, taskSelectList } from '../row-mapping.js';

/** Non-terminal statuses (the pending scan). */
const PENDING = `('waiting', 'queued', 'in-progress', 'service-stopped')`;

/**
 * The sort expression of a field: text sorts by code point (the columns are `utf8mb4_bin`), the
 * same order as every other adapter; nullable fields sort their nulls last in both directions.
 */
function sortExpression(field: TaskSortField, direction: 'ASC' | 'DESC'): string {
  const spec = SPEC_OF_FIELD[field];
  return `${spec.nullable ? `${spec.column} IS NULL, ` : ''}${spec.column} ${direction}`;
}

/**
 * Translates a checked filter into SQL conditions (pushing their values). Returns null when the
 * filter can match nothing (an empty list of ids or statuses).
 */
function buildWhere(filter: TaskFilter, values: unknown[]): string[] | null {
  const where: string[] = [];
  const condition = (sql: string, ...params: unknown[]): void => {
    where.push(sql);
    values.push(...params);
  };
  if (filter.ids !== undefined) {
    if (filter.ids.length === 0) return null;
    condition('id IN (?)', filter.ids);
  }
  if (filter.statuses !== undefined) {
    if (filter.statuses.length === 0) return null;
    condition('status IN (?)', filter.statuses);
  }
  if (filter.name !== undefined) condition('name = ?', filter.name);
  if (filter.nameContains !== undefined) condition('LOCATE(LOWER(?), LOWER(name)) > 0', filter.nameContains);
  if (filter.queue !== undefined) condition('queue = ?', filter.queue);
  if (filter.taskKey !== undefined) condition('task_key_hash = UNHEX(SHA2(?, 256)) AND task_key = ?', filter.taskKey, filter.taskKey);
  if (filter.recurring !== undefined) where.push(filter.recurring ? 'recurring IS NOT NULL' : 'recurring IS NULL');
  if (filter.createdAfter !== undefined) condition('created_at >= ?', filter.createdAfter);
  if (filter.createdBefore !== undefined) condition('created_at < ?', filter.createdBefore);
  if (filter.dueBefore !== undefined) condition('due_at < ?', filter.dueBefore);
  if (filter.search !== undefined) {
    condition("(LOCATE(LOWER(?), LOWER(name)) > 0 OR LOCATE(LOWER(?), LOWER(COALESCE(task_key, ''))) > 0)", filter.search, filter.search);
  }
  return where;
}

/** Reads of tasks (arguments checked by the storage): by id or key, the pending scan, filtered pages and counts. */
export class ReadQueries {
  readonly #context: QueryContext;
  readonly #sql: { get: string; getByKey: string; pending: string; pendingAfter: string };

  constructor(context: QueryContext) {
    this.#context = context;
    const t = context.tables.tasks;
    const columns = taskSelectList();
    this.#sql = {
      get: `SELECT ${columns} FROM ${t} WHERE id = ?`,
      getByKey: `SELECT ${columns} FROM ${t} WHERE task_key_hash = UNHEX(SHA2(?, 256)) AND task_key = ?`,
      pending: `SELECT ${columns} FROM ${t} WHERE status IN ${PENDING} ORDER BY created_at, id LIMIT ?`,
      pendingAfter: `SELECT ${columns} FROM ${t}
WHERE status IN ${PENDING} AND (created_at > ? OR (created_at = ? AND id > ?)) ORDER BY created_at, id LIMIT ?`,
    };
  }

  async #read(operation: string, sql: string, values: unknown[]): Promise<StoredTask[]> {
    return rowsOf(await this.#context.connection.run(operation, sql, values, { idempotent: true })).map(readers.task);
  }

  async get(id: string): Promise<StoredTask | undefined> {
    return (await this.#read('get', this.#sql.get, [id]))[0];
  }

  async getByTaskKey(taskKey: string): Promise<StoredTask | undefined> {
    return (await this.#read('getByTaskKey', this.#sql.getByKey, [taskKey, taskKey]))[0];
  }

  async pending(after: PendingCursor | undefined, limit: number): Promise<StoredTask[]> {
    if (after === undefined) return this.#read('pending', this.#sql.pending, [limit]);
    return this.#read('pending', this.#sql.pendingAfter, [after.createdAt, after.createdAt, after.id, limit]);
  }

  async query(filter: TaskFilter, page: ResolvedTaskPage): Promise<TaskQueryResult> {
    const values: unknown[] = [];
    const where = buildWhere(filter, values);
    if (where === null) return { items: [], total: 0 };
    const { offset, limit } = page;
    const direction = page.descending ? 'DESC' : 'ASC';
    const t = this.#context.tables.tasks;
    const whereSql = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
    const connection = this.#context.connection;
    // One statement (one consistent read), two plans: the page walks the sort order and stops
    // after offset + limit rows; the total counts the matching rows apart (a window count over the
    // page query would read every matching row in full before the LIMIT applies). The join keeps
    // no order, so the page rows are sorted again (at most `limit` of them).
    const order = `${sortExpression(page.sortBy, direction)}, id ${direction}`;
    const result = rowsOf(
      await connection.run(
        'query',
        `SELECT total.n AS total, page.* FROM (SELECT COUNT(*) AS n FROM ${t} ${whereSql}) AS total
LEFT JOIN (SELECT ${taskSelectList()} FROM ${t} ${whereSql} ORDER BY ${order} LIMIT ? OFFSET ?) AS page ON TRUE
ORDER BY ${order}`,
        [...values, ...values, limit, offset],
        { idempotent: true },
      ),
    );
    const total = Number(result[0]?.total ?? 0);
    const rows = result.filter((row) => row.id !== null);
    return { items: rows.map(readers.task), total };
  }

  async count(filter: TaskFilter): Promise<StatusCount[]> {
    const values: unknown[] = [];
    const where = buildWhere(filter, values);
    if (where === null) return [];
    const whereSql = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
    const rows = rowsOf(
      await this.#context.connection.run(
        'count',
        `SELECT queue, status, COUNT(*) AS n FROM ${this.#context.tables.tasks} ${whereSql} GROUP BY queue, status ORDER BY queue, status`,
        values,
        { idempotent: true },
      ),
    );
    return rows.map((row) => readers.statusCount(row));
  }
}
