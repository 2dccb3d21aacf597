/** Reading tasks: by id or key, the pending list, filtered pages and counts. */
import type Database from 'better-sqlite3';
import type { PendingCursor, StatusCount, StoredTask, TaskFilter, TaskQueryResult } from 'evertask';
import { COLUMN_OF_FIELD, type ResolvedTaskPage } from 'evertask/storage-kit';
import { readers, type SqlValue } from '../row-mapping.js';
import { ACTIVE_STATUSES_SQL, type TableNames } from './tables.js';
import type { Prepare, Statement, QuerySession } from './query-session.js';

/** The connection as this module sees it. */
type Session = QuerySession<{ reads: ReadStatements }>;

export interface ReadStatements {
  get: Statement;
  getByKey: Statement;
  pendingFirst: Statement;
  pendingAfter: Statement;
}

export function prepareReadStatements(prepare: Prepare, t: TableNames): ReadStatements {
  return {
    get: prepare(`SELECT * FROM ${t.tasks} WHERE id = ?`),
    getByKey: prepare(`SELECT * FROM ${t.tasks} WHERE task_key = ?`),
    pendingFirst: prepare(`SELECT * FROM ${t.tasks} INDEXED BY ${t.tasks}_pending WHERE ${ACTIVE_STATUSES_SQL} ORDER BY created_at, id LIMIT ?`),
    pendingAfter: prepare(
      `SELECT * FROM ${t.tasks} INDEXED BY ${t.tasks}_pending WHERE ${ACTIVE_STATUSES_SQL} AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?`,
    ),
  };
}

/** Case-insensitive substring test with JavaScript's Unicode case mapping (SQLite's `lower` is ASCII only). */
function icontains(haystack: unknown, needle: unknown): number {
  if (typeof haystack !== 'string' || typeof needle !== 'string') return 0;
  return haystack.toLowerCase().includes(needle.toLowerCase()) ? 1 : 0;
}

/** Registers the SQL functions the filters use (`evertask_icontains`). */
export function registerReadFunctions(db: Database.Database): void {
  db.function('evertask_icontains', { deterministic: true }, icontains);
}

export function getTask(session: Session, id: string): StoredTask | undefined {
  const row = session.statements.reads.get.get(id);
  return row ? readers.task(row) : undefined;
}

export function getTaskByKey(session: Session, taskKey: string): StoredTask | undefined {
  const row = session.statements.reads.getByKey.get(taskKey);
  return row ? readers.task(row) : undefined;
}

/** Non-terminal tasks by (createdAt, id), after the cursor. */
export function pendingTasks(session: Session, after: PendingCursor | undefined, limit: number): StoredTask[] {
  const statements = session.statements.reads;
  const rows =
    after === undefined ? statements.pendingFirst.all(limit) : statements.pendingAfter.all(after.createdAt, after.id, limit);
  return rows.map(readers.task);
}

interface WhereClause {
  /** The clause's shape, for the statement cache. */
  key: string;
  sql: string;
  params: SqlValue[];
}

/** Builds the WHERE clause of a (validated) filter. */
export function whereClause(filter: TaskFilter): WhereClause {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  const key: string[] = [];
  const add = (shape: string, sql: string, ...values: SqlValue[]): void => {
    key.push(shape);
    parts.push(sql);
    params.push(...values);
  };
  if (filter.ids !== undefined) add('i', 'id IN (SELECT value FROM json_each(?))', JSON.stringify(filter.ids));
  if (filter.statuses?.length === 1) {
    // One status: an equality the (status, created_at, id) index can serve in order.
    add('s1', 'status = ?', filter.statuses[0] as string);
  } else if (filter.statuses !== undefined) {
    add('s', 'status IN (SELECT value FROM json_each(?))', JSON.stringify(filter.statuses));
  }
  if (filter.name !== undefined) add('n', 'name = ?', filter.name);
  if (filter.nameContains !== undefined) add('nc', 'evertask_icontains(name, ?)', filter.nameContains);
  if (filter.queue !== undefined) add('q', 'queue = ?', filter.queue);
  if (filter.taskKey !== undefined) add('k', 'task_key = ?', filter.taskKey);
  if (filter.recurring !== undefined) {
    add(filter.recurring ? 'r1' : 'r0', filter.recurring ? 'recurring IS NOT NULL' : 'recurring IS NULL');
  }
  // createdAfter is inclusive, createdBefore exclusive: adjacent windows never count a task twice.
  if (filter.createdAfter !== undefined) add('ca', 'created_at >= ?', filter.createdAfter);
  if (filter.createdBefore !== undefined) add('cb', 'created_at < ?', filter.createdBefore);
  if (filter.dueBefore !== undefined) add('db', 'due_at < ?', filter.dueBefore);
  if (filter.search !== undefined) {
    add('x', '(evertask_icontains(name, ?) OR evertask_icontains(task_key, ?))', filter.search, filter.search);
  }
  return { key: key.join(','), sql: parts.length > 0 ? ` WHERE ${parts.join(' AND ')}` : '', params };
}

/** One page of the tasks matching `where`, and their total, from one snapshot. */
export function queryTasks(session: Session, where: WhereClause, page: ResolvedTaskPage): TaskQueryResult {
  const { offset, limit, sortBy, descending } = page;
  const column = COLUMN_OF_FIELD[sortBy];
  const direction = descending ? 'DESC' : 'ASC';
  const tasks = session.tables.tasks;
  const read = session.db.transaction(() => {
    const countStatement = session.cached(`qc|${where.key}`, () => `SELECT COUNT(*) AS n FROM ${tasks}${where.sql}`);
    const total = (countStatement.get(where.params) as { n: number }).n;
    if (limit === 0 || total <= offset) return { items: [], total };
    // Nulls last in both directions (SQLite puts them last only when descending), ties broken by
    // id in the same direction. The page is chosen on ids alone (small sort rows, often an index
    // walk), then its rows are read by primary key.
    const nullsLast = !descending && (sortBy === 'dueAt' || sortBy === 'lastExecutionAt') ? ' NULLS LAST' : '';
    const pageStatement = session.cached(
      `qp|${where.key}|${column}|${direction}${nullsLast}`,
      () => `SELECT id FROM ${tasks}${where.sql} ORDER BY ${column} ${direction}${nullsLast}, id ${direction} LIMIT ? OFFSET ?`,
    );
    const pageIds = pageStatement.all([...where.params, limit, offset]).map((row) => row['id'] as string);
    const position = new Map(pageIds.map((id, index) => [id, index]));
    const rowsStatement = session.cached('qr', () => `SELECT * FROM ${tasks} WHERE id IN (SELECT value FROM json_each(?))`);
    const items = rowsStatement
      .all(JSON.stringify(pageIds))
      .map(readers.task)
      .sort((a, b) => (position.get(a.id) ?? 0) - (position.get(b.id) ?? 0));
    return { items, total };
  });
  // One read transaction: the page and its total come from the same snapshot.
  return read.deferred();
}

/** How many tasks matching `where` each queue holds in each status. */
export function countTasks(session: Session, where: WhereClause): StatusCount[] {
  const tasks = session.tables.tasks;
  const statement = session.cached(
    `c|${where.key}`,
    () => `SELECT queue, status, COUNT(*) AS n FROM ${tasks}${where.sql} GROUP BY queue, status ORDER BY queue, status`,
  );
  return statement.all(where.params).map((row) => readers.statusCount(row));
}
