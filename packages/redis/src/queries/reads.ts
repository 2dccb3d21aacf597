import { TASK_STATUSES, type PendingCursor, type StatusCount, type StoredTask, type TaskFilter, type TaskQueryResult, type TaskStatus } from 'evertask';
import type { ChainableCommander } from 'ioredis';
import { matchesTaskFilter, taskSortComparator, type ResolvedTaskPage } from 'evertask/storage-kit';
import type { QueryContext } from '../connection.js';
import { createdKey, readTaskHash } from '../row-mapping.js';

/** Non-terminal statuses (the pending scan). */
const PENDING: readonly TaskStatus[] = ['waiting', 'queued', 'in-progress', 'service-stopped'];
/** Filter fields the status indexes answer by themselves (with the createdAt order). */
const INDEXED_FIELDS: ReadonlySet<string> = new Set(['statuses', 'queue', 'createdAfter', 'createdBefore']);
/** Length of a status-index member's created key and its ':' (the id follows). */
const ID_OFFSET = 18;
/** Task hashes fetched per pipeline. */
const FETCH_CHUNK = 1000;

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether the filter is one the status indexes serve without reading the tasks. */
function isIndexed(filter: TaskFilter): boolean {
  return Object.entries(filter).every(([field, value]) => value === undefined || INDEXED_FIELDS.has(field));
}

/** The lex range of a created-time filter over status-index members. */
function createdRange(filter: TaskFilter): { min: string; max: string } {
  return {
    min: filter.createdAfter === undefined ? '-' : `[${createdKey(filter.createdAfter)}`,
    max: filter.createdBefore === undefined ? '+' : `(${createdKey(filter.createdBefore)}`,
  };
}

/**
 * Reads of tasks (arguments checked by the storage). By id or key: one hash. `pending`, and
 * `query`/`count` filtered by status, queue and creation time and sorted by `createdAt`, are
 * served from the status indexes (lex-ordered sets per queue and status, members
 * `<created key>:<id>`, maintained by the scripts). Other filters (name, search, recurring,
 * dueBefore…) and other sort fields read the candidate tasks the indexes select (all of a queue's
 * or status's tasks, or the tasks named by `ids`/`taskKey`) and filter them here.
 */
export class ReadQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  async get(id: string): Promise<StoredTask | undefined> {
    const { connection, keys } = this.#context;
    return readTaskHash(await connection.run('get', (client) => client.hgetall(keys.task(id))));
  }

  async getByTaskKey(taskKey: string): Promise<StoredTask | undefined> {
    const { connection, keys } = this.#context;
    const id = await connection.run('getByTaskKey', (client) => client.hget(keys.taskKeys, taskKey));
    if (id === null) return undefined;
    const task = await this.get(id);
    return task?.taskKey === taskKey ? task : undefined;
  }

  /** The tasks of these ids that still exist, in that order. */
  async #fetch(operation: string, ids: readonly string[]): Promise<StoredTask[]> {
    const { connection, keys } = this.#context;
    const tasks: StoredTask[] = [];
    for (let start = 0; start < ids.length; start += FETCH_CHUNK) {
      const chunk = ids.slice(start, start + FETCH_CHUNK);
      const replies = await connection.run(operation, async (client) => {
        const pipeline = client.pipeline();
        for (const id of chunk) pipeline.hgetall(keys.task(id));
        return (await pipeline.exec()) ?? [];
      });
      for (const [error, hash] of replies) {
        if (error) throw error;
        const task = readTaskHash(hash as Record<string, string>);
        if (task !== undefined) tasks.push(task);
      }
    }
    return tasks;
  }

  /** Every queue that has held a task. */
  async #queues(operation: string): Promise<string[]> {
    const { connection, keys } = this.#context;
    return (await connection.run(operation, (client) => client.smembers(keys.queues))).sort(byText);
  }

  /** The status-index sets of the filter's queues and statuses. */
  async #sets(operation: string, filter: TaskFilter, statuses: readonly TaskStatus[] = TASK_STATUSES): Promise<{ key: string; queue: string; status: TaskStatus }[]> {
    const queues = filter.queue === undefined ? await this.#queues(operation) : [filter.queue];
    const selected = filter.statuses ?? statuses;
    return queues.flatMap((queue) => selected.map((status) => ({ key: this.#context.keys.status(queue, status), queue, status })));
  }

  /** Runs one command per set in a pipeline; returns the replies in order. */
  async #each<T>(operation: string, sets: readonly { key: string }[], command: (pipeline: ChainableCommander, key: string) => void): Promise<T[]> {
    if (sets.length === 0) return [];
    const replies = await this.#context.connection.run(operation, async (client) => {
      const pipeline = client.pipeline();
      for (const set of sets) command(pipeline, set.key);
      return (await pipeline.exec()) ?? [];
    });
    return replies.map(([error, value]) => {
      if (error) throw error;
      return value as T;
    });
  }

  async pending(after: PendingCursor | undefined, limit: number): Promise<StoredTask[]> {
    const sets = await this.#sets('pending', {}, PENDING);
    const min = after === undefined ? '-' : `(${createdKey(after.createdAt)}:${after.id}`;
    const pages = await this.#each<string[]>('pending', sets, (pipeline, key) => pipeline.zrangebylex(key, min, '+', 'LIMIT', 0, limit));
    const members = pages.flat().sort(byText).slice(0, limit);
    return this.#fetch('pending', members.map((member) => member.slice(ID_OFFSET)));
  }

  async query(filter: TaskFilter, page: ResolvedTaskPage): Promise<TaskQueryResult> {
    if (filter.ids?.length === 0 || filter.statuses?.length === 0) return { items: [], total: 0 };
    if (page.sortBy === 'createdAt' && isIndexed(filter)) return this.#indexedQuery(filter, page);
    const matched = await this.#candidates('query', filter);
    matched.sort(taskSortComparator(page.sortBy, page.descending));
    return { items: matched.slice(page.offset, page.offset + page.limit), total: matched.length };
  }

  /** A page straight from the status indexes: the first offset + limit of each set, merged. */
  async #indexedQuery(filter: TaskFilter, page: ResolvedTaskPage): Promise<TaskQueryResult> {
    const sets = await this.#sets('query', filter);
    const { min, max } = createdRange(filter);
    const counts = await this.#each<number>('query', sets, (pipeline, key) => pipeline.zlexcount(key, min, max));
    const total = counts.reduce((sum, count) => sum + count, 0);
    const wanted = page.offset + page.limit;
    if (page.limit === 0 || page.offset >= total) return { items: [], total };
    const nonEmpty = sets.filter((_, index) => (counts[index] ?? 0) > 0);
    const pages = await this.#each<string[]>('query', nonEmpty, (pipeline, key) =>
      page.descending ? pipeline.zrevrangebylex(key, max, min, 'LIMIT', 0, wanted) : pipeline.zrangebylex(key, min, max, 'LIMIT', 0, wanted),
    );
    const members = pages.flat().sort(byText);
    if (page.descending) members.reverse();
    const ids = members.slice(page.offset, wanted).map((member) => member.slice(ID_OFFSET));
    return { items: await this.#fetch('query', ids), total };
  }

  /** The tasks matching the filter: the indexes select the candidates, each is read and checked here. */
  async #candidates(operation: string, filter: TaskFilter): Promise<StoredTask[]> {
    let ids: string[];
    if (filter.ids !== undefined) ids = [...new Set(filter.ids)];
    else if (filter.taskKey !== undefined) {
      const taskKey = filter.taskKey;
      const id = await this.#context.connection.run(operation, (client) => client.hget(this.#context.keys.taskKeys, taskKey));
      ids = id === null ? [] : [id];
    } else {
      const sets = await this.#sets(operation, filter);
      const { min, max } = createdRange(filter);
      const members = await this.#each<string[]>(operation, sets, (pipeline, key) => pipeline.zrangebylex(key, min, max));
      ids = members.flat().map((member) => member.slice(ID_OFFSET));
    }
    return (await this.#fetch(operation, ids)).filter((task) => matchesTaskFilter(task, filter));
  }

  async count(filter: TaskFilter): Promise<StatusCount[]> {
    if (filter.ids?.length === 0 || filter.statuses?.length === 0) return [];
    const cells: StatusCount[] = [];
    if (isIndexed(filter)) {
      const sets = await this.#sets('count', filter);
      const { min, max } = createdRange(filter);
      const counts = await this.#each<number>('count', sets, (pipeline, key) => pipeline.zlexcount(key, min, max));
      sets.forEach(({ queue, status }, index) => {
        const count = counts[index] ?? 0;
        if (count > 0) cells.push({ queue, status, count });
      });
    } else {
      const byCell = new Map<string, StatusCount>();
      for (const task of await this.#candidates('count', filter)) {
        const key = `${task.queue}\u0000${task.status}`;
        const cell = byCell.get(key);
        if (cell === undefined) byCell.set(key, { queue: task.queue, status: task.status, count: 1 });
        else cell.count++;
      }
      cells.push(...byCell.values());
    }
    return cells.sort((a, b) => byText(a.queue, b.queue) || byText(a.status, b.status));
  }
}
