import { TASK_STATUSES, type TaskGroup, type TaskGroupRequest, type TaskStatus, type TimelineBucket, type TimelineRequest } from 'evertask';
import { addToTally, emptyTally, timelineBucketCount } from 'evertask/storage-kit';
import type { QueryContext } from '../connection.js';
import { createdAtOfKey, createdKey, readLogMember } from '../row-mapping.js';

/** Task hashes read per pipeline. */
const FETCH_CHUNK = 1000;
/** Length of a status-index member's created key (its id follows after ':'). */
const CREATED_KEY_LENGTH = 17;

/** One task of a statistics window, as the status indexes give it (the fields read from its hash when needed). */
interface Entry {
  id: string;
  queue: string;
  status: TaskStatus;
  createdAt: number;
  name?: string;
  executionTimeMs?: number | null;
}

/**
 * The statistics (arguments checked by the storage). The status indexes give every task of the
 * window with its queue, status and creation time (a lex range per queue and status); what they do
 * not hold — the execution time of completed tasks, and the name when grouping by name — is read
 * from the task hashes in pipelines of 1,000, and the kit folds the tallies.
 */
export class StatisticsQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  async countExecutionLogs(taskId: string, levels: readonly string[] | undefined): Promise<number> {
    const { connection, keys } = this.#context;
    const key = keys.logs(taskId);
    if (levels === undefined) return connection.run('countExecutionLogs', (client) => client.zcard(key));
    const wanted = new Set(levels);
    const members = await connection.run('countExecutionLogs', (client) => client.zrange(key, '0', '-1'));
    return members.filter((member) => wanted.has(readLogMember(taskId, member, key).level)).length;
  }

  async taskTimeline(request: TimelineRequest): Promise<TimelineBucket[]> {
    const { from, to, bucketMs, queue } = request;
    const buckets: TimelineBucket[] = Array.from({ length: timelineBucketCount(request) }, (_, i) => ({ start: from + i * bucketMs, ...emptyTally() }));
    if (buckets.length === 0) return buckets;
    for (const entry of await this.#window('taskTimeline', from, to, queue, false)) {
      const bucket = buckets[Math.floor((entry.createdAt - from) / bucketMs)];
      if (bucket !== undefined) tally(bucket, entry);
    }
    return buckets;
  }

  async taskGroups(request: TaskGroupRequest): Promise<TaskGroup[]> {
    const groups = new Map<string, TaskGroup>();
    for (const entry of await this.#window('taskGroups', request.from, request.to, request.queue, request.groupBy === 'name')) {
      const key = request.groupBy === 'name' ? (entry.name as string) : entry.queue;
      let group = groups.get(key);
      if (group === undefined) {
        group = { key, ...emptyTally() };
        groups.set(key, group);
      }
      tally(group, entry);
    }
    return [...groups.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Every task created in [from, to) of the queue (all when undefined), with what the tally needs. */
  async #window(operation: string, from: number | undefined, to: number | undefined, queue: string | undefined, withName: boolean): Promise<Entry[]> {
    const { connection, keys } = this.#context;
    const queues = queue === undefined ? await connection.run(operation, (client) => client.smembers(keys.queues)) : [queue];
    const sets = queues.flatMap((q) => TASK_STATUSES.map((status) => ({ queue: q, status, key: keys.status(q, status) })));
    const min = from === undefined ? '-' : `[${createdKey(from)}`;
    const max = to === undefined ? '+' : `(${createdKey(to)}`;
    const pages = await connection.run(operation, async (client) => {
      const pipeline = client.pipeline();
      for (const set of sets) pipeline.zrangebylex(set.key, min, max);
      return (await pipeline.exec()) ?? [];
    });
    const entries: Entry[] = [];
    pages.forEach(([error, members], index) => {
      if (error) throw error;
      const { queue: q, status } = sets[index] as (typeof sets)[number];
      for (const member of members as string[]) {
        entries.push({ id: member.slice(CREATED_KEY_LENGTH + 1), queue: q, status, createdAt: createdAtOfKey(member.slice(0, CREATED_KEY_LENGTH)) });
      }
    });
    const needed = entries.filter((entry) => withName || entry.status === 'completed');
    for (let start = 0; start < needed.length; start += FETCH_CHUNK) {
      const chunk = needed.slice(start, start + FETCH_CHUNK);
      const replies = await connection.run(operation, async (client) => {
        const pipeline = client.pipeline();
        for (const entry of chunk) pipeline.hmget(keys.task(entry.id), 'name', 'execution_time_ms');
        return (await pipeline.exec()) ?? [];
      });
      replies.forEach(([error, values], index) => {
        if (error) throw error;
        const [name, ms] = values as (string | null)[];
        const entry = chunk[index] as Entry;
        entry.name = name ?? '';
        entry.executionTimeMs = ms === null || ms === undefined ? null : Number(ms);
      });
    }
    return entries;
  }
}

function tally(target: TimelineBucket | TaskGroup, entry: Entry): void {
  const ms = entry.executionTimeMs ?? null;
  const timed = entry.status === 'completed' && ms !== null && Number.isFinite(ms);
  addToTally(target, entry.status, 1, timed ? 1 : 0, ms ?? 0, ms ?? 0, ms ?? 0);
}
