import type { PendingCursor, StatusCount, StoredTask, TaskFilter, TaskQueryResult } from 'evertask';
import { SPEC_OF_FIELD, type ResolvedTaskPage } from 'evertask/storage-kit';
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { AnyKysely, DbRow } from '../database.js';
import type { SqlDialect } from '../dialects/dialect.js';
import { readers, taskKeyHash, TASK_SELECT } from '../row-mapping.js';
import type { QueryContext } from './context.js';

/** Non-terminal statuses (the pending scan). */
const PENDING = ['waiting', 'queued', 'in-progress', 'service-stopped'] as const;

type Where = (eb: ExpressionBuilder<Record<string, DbRow>, string>) => Expression<SqlBool>;

/**
 * The conditions of a checked filter, or null when it can match nothing (an empty list of ids or
 * statuses).
 */
function filterConditions(filter: TaskFilter, dialect: SqlDialect): Where[] | null {
  const where: Where[] = [];
  if (filter.ids !== undefined) {
    if (filter.ids.length === 0) return null;
    const ids = filter.ids;
    where.push((eb) => eb('id', 'in', ids));
  }
  if (filter.statuses !== undefined) {
    if (filter.statuses.length === 0) return null;
    const statuses = filter.statuses;
    where.push((eb) => eb('status', 'in', statuses));
  }
  const { name, nameContains, queue, taskKey, recurring, createdAfter, createdBefore, dueBefore, search } = filter;
  if (name !== undefined) where.push((eb) => eb('name', '=', name));
  if (nameContains !== undefined) where.push(() => dialect.containsIgnoringCase('name', nameContains));
  if (queue !== undefined) where.push((eb) => eb('queue', '=', queue));
  if (taskKey !== undefined) where.push((eb) => eb.and([eb('task_key_hash', '=', taskKeyHash(taskKey)), eb('task_key', '=', taskKey)]));
  if (recurring !== undefined) where.push((eb) => (recurring ? eb('recurring', 'is not', null) : eb('recurring', 'is', null)));
  if (createdAfter !== undefined) where.push((eb) => eb('created_at', '>=', createdAfter));
  if (createdBefore !== undefined) where.push((eb) => eb('created_at', '<', createdBefore));
  if (dueBefore !== undefined) where.push((eb) => eb('due_at', '<', dueBefore));
  if (search !== undefined) {
    where.push((eb) =>
      eb.or([dialect.containsIgnoringCase('name', search), eb.and([eb('task_key', 'is not', null), dialect.containsIgnoringCase('task_key', search)])]),
    );
  }
  return where;
}

/** Reads of tasks (arguments checked by the storage): by id or key, the pending scan, filtered pages and counts. */
export class ReadQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  async #read(operation: string, build: (db: AnyKysely) => Promise<DbRow[]>): Promise<StoredTask[]> {
    return (await this.#context.connection.run(operation, build, { idempotent: true })).map(readers.task);
  }

  #tasks(db: AnyKysely) {
    return db.selectFrom(this.#context.tables.tasks).select([...TASK_SELECT]);
  }

  async get(id: string): Promise<StoredTask | undefined> {
    return (await this.#read('get', (db) => this.#tasks(db).where('id', '=', id).execute()))[0];
  }

  async getByTaskKey(taskKey: string): Promise<StoredTask | undefined> {
    const read = (db: AnyKysely) => this.#tasks(db).where('task_key_hash', '=', taskKeyHash(taskKey)).where('task_key', '=', taskKey).execute();
    return (await this.#read('getByTaskKey', read))[0];
  }

  async pending(after: PendingCursor | undefined, limit: number): Promise<StoredTask[]> {
    if (limit === 0) return [];
    return this.#read('pending', (db) => {
      let query = this.#tasks(db).where('status', 'in', PENDING);
      if (after !== undefined) {
        query = query.where((eb) => eb.or([eb('created_at', '>', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)])]));
      }
      return query.orderBy('created_at').orderBy('id').limit(limit).execute();
    });
  }

  async query(filter: TaskFilter, page: ResolvedTaskPage): Promise<TaskQueryResult> {
    const { connection, tables } = this.#context;
    const conditions = filterConditions(filter, connection.dialect);
    if (conditions === null) return { items: [], total: 0 };
    const direction = page.descending ? 'desc' : 'asc';
    const spec = SPEC_OF_FIELD[page.sortBy];
    const key = spec.type === 'time' ? sql.ref(spec.column) : connection.dialect.textSortKey(spec.column);
    // the page walks the sort order and stops after offset + limit rows; the total counts apart
    return connection.run(
      'query',
      async (db) => {
        let items = this.#tasks(db);
        let total = db.selectFrom(tables.tasks).select((eb) => eb.fn.countAll().as('n'));
        for (const condition of conditions) {
          items = items.where(condition);
          total = total.where(condition);
        }
        // nullable fields sort their nulls last in both directions
        if (spec.nullable) items = items.orderBy(sql`${sql.ref(spec.column)} IS NULL`);
        const rows = await items.orderBy(key, direction).orderBy('id', direction).limit(page.limit).offset(page.offset).execute();
        const counted = await total.executeTakeFirst();
        return { items: (rows as DbRow[]).map(readers.task), total: Number(counted?.n ?? 0) };
      },
      { idempotent: true },
    );
  }

  async count(filter: TaskFilter): Promise<StatusCount[]> {
    const { connection, tables } = this.#context;
    const conditions = filterConditions(filter, connection.dialect);
    if (conditions === null) return [];
    const rows = await connection.run(
      'count',
      async (db) => {
        let query = db.selectFrom(tables.tasks).select(['queue', 'status', (eb) => eb.fn.countAll().as('n')]);
        for (const condition of conditions) query = query.where(condition);
        return query.groupBy(['queue', 'status']).orderBy('queue').orderBy('status').execute();
      },
      { idempotent: true },
    );
    return (rows as DbRow[]).map((row) => readers.statusCount(row));
  }
}
