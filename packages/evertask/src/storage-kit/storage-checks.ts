import { InvalidArgumentError } from '../errors.js';
import { describeValue } from '../describe-value.js';
import { LOG_LEVELS, type StoredTask, type TaskPatch, type TaskStatus, type ExecutionLogEntry, type LogLevel } from '../ports/task-record.js';
import type {
  ClaimRequest,
  NewTask,
  PendingCursor,
  RetentionPolicy,
  StorageNotification,
  TaskFilter,
  TaskTransition,
} from '../ports/task-storage.js';
import type { QueueStateChange } from '../ports/queue-state.js';
import { DEFAULT_STORAGE_LIMITS, expectedOfType, isCount, isTime, isUuid, type StorageLimits } from './field-types.js';
import {
  findLogsProblem,
  findPatchProblem,
  findStatusesProblem,
  findTaskProblem,
  findTransitionProblem,
  type Problem,
} from './record-checks.js';
import { DEFAULT_TASK_PAGE, TASK_SORT_FIELDS, type ResolvedTaskPage } from './task-page.js';
import { isTaskEventEntry } from './task-events-codec.js';
import { MAX_TIMELINE_BUCKETS, type TaskGroupRequest, type TimelineRequest } from '../ports/task-statistics.js';
import { timelineBucketCount } from './statistics-rows.js';

const FILTER_TEXT_KEYS = ['name', 'nameContains', 'queue', 'taskKey', 'search'] as const;
const RETENTION_KEYS = ['completedBefore', 'failedBefore', 'auditBefore', 'logsBefore'] as const;
const NOTIFICATION_KINDS: readonly unknown[] = ['task-available', 'task-cancelled', 'task-events', 'task-events-watch', 'queue-state'];
/** Longest queue name a storage keeps (the SQL adapters key their paused-queue table by it). */
export const MAX_QUEUE_NAME_LENGTH = 255;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The argument checks of the storage contract, for one storage: each `check*` method throws
 * `InvalidArgumentError` — `<storage>.<operation>: <argument> must be <expected>; got <value>.` —
 * unless its argument is valid, and returns it typed. A storage runs them on every public method
 * before it touches any data, so a bad batch writes nothing.
 *
 * @example
 * ```ts
 * const checks = new StorageChecks('MyStorage');
 * async add(tasks: readonly NewTask[]) {
 *   checks.checkNewTasks(tasks, 'add');
 *   ...
 * }
 * ```
 */
export class StorageChecks {
  readonly storageName: string;
  readonly limits: StorageLimits;

  /**
   * @param storageName The class name shown in messages (`'SqliteStorage'`).
   * @param limits Narrower bounds when the storage's columns hold less. @defaultValue {@link DEFAULT_STORAGE_LIMITS}
   */
  constructor(storageName: string, limits: Partial<StorageLimits> = {}) {
    this.storageName = storageName;
    this.limits = Object.freeze({ ...DEFAULT_STORAGE_LIMITS, ...limits });
  }

  /** The error a check throws: `<storage>.<operation>: <argument> must be <expected>; got <value>.` */
  invalidArgument(operation: string, argument: string, value: unknown, expected: string): InvalidArgumentError {
    return new InvalidArgumentError(`${this.storageName}.${operation}: ${argument} must be ${expected}; got ${describeValue(value)}.`);
  }

  #throwIf(problem: Problem | undefined, operation: string, argument: string): void {
    if (problem !== undefined) throw this.invalidArgument(operation, `${argument}${problem.path}`, problem.value, problem.expected);
  }

  // ---- records -----------------------------------------------------------------------------------

  /** A batch of complete tasks (every field of the table valid; other properties are ignored). */
  checkNewTasks(tasks: unknown, operation: string): readonly NewTask[] {
    if (!Array.isArray(tasks)) throw this.invalidArgument(operation, 'tasks', tasks, 'an array of tasks');
    for (let i = 0; i < tasks.length; i++) {
      const problem = findTaskProblem(tasks[i], this.limits);
      if (problem !== undefined) this.#throwIf(problem, operation, `tasks[${i}]`);
    }
    return tasks as readonly StoredTask[];
  }

  /** A patch: only patchable fields, each valid. */
  checkPatch(patch: unknown, operation: string, argument = 'patch'): TaskPatch {
    this.#throwIf(findPatchProblem(patch, this.limits), operation, argument);
    return patch as TaskPatch;
  }

  /** A batch of transitions. */
  checkTransitions(changes: unknown, operation: string): readonly TaskTransition[] {
    if (!Array.isArray(changes)) throw this.invalidArgument(operation, 'changes', changes, 'an array of transitions');
    for (let i = 0; i < changes.length; i++) {
      const problem = findTransitionProblem(changes[i], this.limits);
      if (problem !== undefined) this.#throwIf(problem, operation, `changes[${i}]`);
    }
    return changes as readonly TaskTransition[];
  }

  /** A list of execution logs. */
  checkLogs(logs: unknown, operation: string, argument = 'logs'): readonly ExecutionLogEntry[] {
    this.#throwIf(findLogsProblem(logs, this.limits), operation, argument);
    return logs as readonly ExecutionLogEntry[];
  }

  // ---- values ------------------------------------------------------------------------------------

  /** A task id: a lowercase UUID (no stored task can have another id). */
  checkId(id: unknown, operation: string, argument = 'id'): string {
    if (!isUuid(id)) throw this.invalidArgument(operation, argument, id, expectedOfType('uuid', this.limits));
    return id;
  }

  /** A list of task ids. */
  checkIds(ids: unknown, operation: string, argument = 'ids'): readonly string[] {
    if (!Array.isArray(ids)) throw this.invalidArgument(operation, argument, ids, 'an array of task ids');
    for (let i = 0; i < ids.length; i++) this.checkId(ids[i], operation, `${argument}[${i}]`);
    return ids as readonly string[];
  }

  /** Any string (a task key, an owner). */
  checkText(value: unknown, operation: string, argument: string): string {
    if (typeof value !== 'string') throw this.invalidArgument(operation, argument, value, 'a string');
    return value;
  }

  /** A time: integer epoch milliseconds within the limits. */
  checkTime(value: unknown, operation: string, argument: string): number {
    if (!isTime(value, this.limits)) throw this.invalidArgument(operation, argument, value, expectedOfType('time', this.limits));
    return value;
  }

  /** A count, limit, offset or page size: an integer from 0 to the limit. */
  checkCount(value: unknown, operation: string, argument: string): number {
    if (!isCount(value, this.limits)) throw this.invalidArgument(operation, argument, value, expectedOfType('count', this.limits));
    return value;
  }

  /** A lease length: a positive integer number of milliseconds that ends a lease taken at `now` within the time limits. */
  checkLeaseMs(value: unknown, now: number, operation: string, argument = 'leaseMs'): number {
    if (!Number.isSafeInteger(value) || (value as number) <= 0 || !isTime(now + (value as number), this.limits)) {
      throw this.invalidArgument(operation, argument, value, 'a positive integer number of milliseconds');
    }
    return value as number;
  }

  /** A list of statuses. */
  checkStatuses(statuses: unknown, operation: string, argument: string): readonly TaskStatus[] {
    this.#throwIf(findStatusesProblem(statuses), operation, argument);
    return statuses as readonly TaskStatus[];
  }

  /** An optional list of queue names (an empty list selects no queue). */
  checkQueues(queues: unknown, operation: string, argument = 'queues'): readonly string[] | undefined {
    return this.#checkNames(queues, operation, argument, 'queue');
  }

  /** An optional list of task names (an empty list selects no task). */
  checkTaskNames(names: unknown, operation: string, argument = 'names'): readonly string[] | undefined {
    return this.#checkNames(names, operation, argument, 'task');
  }

  #checkNames(names: unknown, operation: string, argument: string, kind: string): readonly string[] | undefined {
    if (names === undefined) return undefined;
    if (!Array.isArray(names) || !names.every((name) => typeof name === 'string' && name.length > 0)) {
      throw this.invalidArgument(operation, argument, names, `an array of ${kind} names (non-empty strings)`);
    }
    return names as readonly string[];
  }

  /** One queue name: a non-empty string of at most {@link MAX_QUEUE_NAME_LENGTH} characters. */
  checkQueueName(queue: unknown, operation: string, argument = 'queue'): string {
    if (typeof queue !== 'string' || queue.length === 0 || queue.length > MAX_QUEUE_NAME_LENGTH) {
      throw this.invalidArgument(operation, argument, queue, `a queue name (a string of 1 to ${MAX_QUEUE_NAME_LENGTH} characters)`);
    }
    return queue;
  }

  /** The arguments of `setQueuePaused`: a queue name, a boolean and a change `{ actor, at }`. */
  checkQueueState(queue: unknown, paused: unknown, change: unknown, operation = 'setQueuePaused'): QueueStateChange {
    this.checkQueueName(queue, operation);
    if (typeof paused !== 'boolean') throw this.invalidArgument(operation, 'paused', paused, 'true or false');
    if (!isRecord(change)) throw this.invalidArgument(operation, 'change', change, 'an object { actor, at }');
    if (change.actor !== null && typeof change.actor !== 'string') throw this.invalidArgument(operation, 'change.actor', change.actor, 'a string or null');
    this.checkTime(change.at, operation, 'change.at');
    return change as unknown as QueueStateChange;
  }

  // ---- requests ----------------------------------------------------------------------------------

  /** A `claimDue` request. */
  checkClaimRequest(request: unknown, operation = 'claimDue'): ClaimRequest {
    if (!isRecord(request)) throw this.invalidArgument(operation, 'request', request, 'a claim request { owner, now, limit, leaseMs, queues?, names? }');
    if (typeof request.owner !== 'string' || request.owner.length === 0) {
      throw this.invalidArgument(operation, 'request.owner', request.owner, 'a non-empty string');
    }
    const now = this.checkTime(request.now, operation, 'request.now');
    this.checkCount(request.limit, operation, 'request.limit');
    this.checkLeaseMs(request.leaseMs, now, operation, 'request.leaseMs');
    this.checkQueues(request.queues, operation, 'request.queues');
    this.checkTaskNames(request.names, operation, 'request.names');
    return request as unknown as ClaimRequest;
  }

  /** The arguments of `replace`: an id, a guard of statuses and a new task of another id. */
  checkReplacement(previousId: unknown, ifStatus: unknown, task: unknown, operation = 'replace'): void {
    this.checkId(previousId, operation, 'previousId');
    this.checkStatuses(ifStatus, operation, 'ifStatus');
    const [checked] = this.checkNewTasks([task], operation);
    if (checked?.id === previousId) {
      throw this.invalidArgument(operation, 'task.id', previousId, 'a new id, not the id of the task it replaces');
    }
  }

  /**
   * The arguments of `getExecutionLogs`: returns the log levels to read — those at or above
   * `minLevel` in `LOG_LEVELS` order, or undefined for every level when it is omitted.
   */
  checkLogRead(taskId: unknown, skip: unknown, take: unknown, minLevel: unknown, operation = 'getExecutionLogs'): readonly LogLevel[] | undefined {
    this.checkId(taskId, operation, 'taskId');
    this.checkCount(skip, operation, 'skip');
    this.checkCount(take, operation, 'take');
    return this.#levelsFrom(minLevel, operation);
  }

  /** The arguments of `countExecutionLogs`: returns the log levels to count, as {@link checkLogRead}. */
  checkLogCount(taskId: unknown, minLevel: unknown, operation = 'countExecutionLogs'): readonly LogLevel[] | undefined {
    this.checkId(taskId, operation, 'taskId');
    return this.#levelsFrom(minLevel, operation);
  }

  #levelsFrom(minLevel: unknown, operation: string): readonly LogLevel[] | undefined {
    if (minLevel === undefined) return undefined;
    const index = LOG_LEVELS.indexOf(minLevel as LogLevel);
    if (index < 0) throw this.invalidArgument(operation, 'minLevel', minLevel, `one of ${LOG_LEVELS.join(', ')}`);
    return LOG_LEVELS.slice(index);
  }

  /** A `taskTimeline` request: `from <= to`, a positive whole `bucketMs`, at most `MAX_TIMELINE_BUCKETS` buckets. */
  checkTimelineRequest(request: unknown, operation = 'taskTimeline'): TimelineRequest {
    if (!isRecord(request)) throw this.invalidArgument(operation, 'request', request, 'a timeline request { from, to, bucketMs, queue? }');
    const from = this.checkTime(request.from, operation, 'request.from');
    const to = this.checkTime(request.to, operation, 'request.to');
    if (to < from) throw this.invalidArgument(operation, 'request.to', to, `a time at or after request.from (${from})`);
    const bucketMs = request.bucketMs;
    if (!Number.isSafeInteger(bucketMs) || (bucketMs as number) <= 0) {
      throw this.invalidArgument(operation, 'request.bucketMs', bucketMs, 'a positive integer number of milliseconds');
    }
    const buckets = timelineBucketCount({ from, to, bucketMs: bucketMs as number });
    if (buckets > MAX_TIMELINE_BUCKETS) {
      throw this.invalidArgument(operation, 'request.bucketMs', bucketMs, `large enough for at most ${MAX_TIMELINE_BUCKETS} buckets in [from, to) (this range needs ${buckets})`);
    }
    if (request.queue !== undefined) this.checkText(request.queue, operation, 'request.queue');
    return request as unknown as TimelineRequest;
  }

  /** A `taskGroups` request: `groupBy` 'name' or 'queue', optional `from <= to`, optional queue. */
  checkGroupRequest(request: unknown, operation = 'taskGroups'): TaskGroupRequest {
    if (!isRecord(request)) throw this.invalidArgument(operation, 'request', request, "a group request { groupBy: 'name' | 'queue', from?, to?, queue? }");
    if (request.groupBy !== 'name' && request.groupBy !== 'queue') {
      throw this.invalidArgument(operation, 'request.groupBy', request.groupBy, "'name' or 'queue'");
    }
    const from = request.from === undefined ? undefined : this.checkTime(request.from, operation, 'request.from');
    const to = request.to === undefined ? undefined : this.checkTime(request.to, operation, 'request.to');
    if (from !== undefined && to !== undefined && to < from) {
      throw this.invalidArgument(operation, 'request.to', to, `a time at or after request.from (${from})`);
    }
    if (request.queue !== undefined) this.checkText(request.queue, operation, 'request.queue');
    return request as unknown as TaskGroupRequest;
  }

  /** The arguments of `renewLeases`. */
  checkRenewal(owner: unknown, now: unknown, leaseMs: unknown, ids: unknown, operation = 'renewLeases'): void {
    this.checkText(owner, operation, 'owner');
    this.checkLeaseMs(leaseMs, this.checkTime(now, operation, 'now'), operation);
    if (ids !== undefined) this.checkIds(ids, operation);
  }

  /** A `pending` cursor (absent for the first page). */
  checkPendingCursor(after: unknown, operation = 'pending'): PendingCursor | undefined {
    if (after === undefined) return undefined;
    if (!isRecord(after)) throw this.invalidArgument(operation, 'after', after, 'a cursor { createdAt, id }');
    this.checkTime(after.createdAt, operation, 'after.createdAt');
    this.checkId(after.id, operation, 'after.id');
    return after as unknown as PendingCursor;
  }

  /** A `query`/`count` filter. */
  checkFilter(filter: unknown, operation: string): TaskFilter {
    if (!isRecord(filter)) throw this.invalidArgument(operation, 'filter', filter, 'a filter object');
    if (filter.ids !== undefined) this.checkIds(filter.ids, operation, 'filter.ids');
    if (filter.statuses !== undefined) this.checkStatuses(filter.statuses, operation, 'filter.statuses');
    for (const key of FILTER_TEXT_KEYS) if (filter[key] !== undefined) this.checkText(filter[key], operation, `filter.${key}`);
    if (filter.recurring !== undefined && typeof filter.recurring !== 'boolean') {
      throw this.invalidArgument(operation, 'filter.recurring', filter.recurring, 'true or false');
    }
    if (filter.createdAfter !== undefined) this.checkTime(filter.createdAfter, operation, 'filter.createdAfter');
    if (filter.createdBefore !== undefined) this.checkTime(filter.createdBefore, operation, 'filter.createdBefore');
    if (filter.dueBefore !== undefined) this.checkTime(filter.dueBefore, operation, 'filter.dueBefore');
    return filter as TaskFilter;
  }

  /** A `query` page, with the defaults of {@link DEFAULT_TASK_PAGE} filled in. */
  checkPage(page: unknown, operation = 'query'): ResolvedTaskPage {
    if (page === undefined) return DEFAULT_TASK_PAGE;
    if (!isRecord(page)) throw this.invalidArgument(operation, 'page', page, 'a page object { offset?, limit?, sortBy?, descending? }');
    const offset = this.checkCount(page.offset ?? DEFAULT_TASK_PAGE.offset, operation, 'page.offset');
    const limit = this.checkCount(page.limit ?? DEFAULT_TASK_PAGE.limit, operation, 'page.limit');
    const sortBy = page.sortBy ?? DEFAULT_TASK_PAGE.sortBy;
    if (!(TASK_SORT_FIELDS as readonly unknown[]).includes(sortBy)) {
      throw this.invalidArgument(operation, 'page.sortBy', sortBy, `one of ${TASK_SORT_FIELDS.join(', ')}`);
    }
    const descending = page.descending ?? DEFAULT_TASK_PAGE.descending;
    if (typeof descending !== 'boolean') throw this.invalidArgument(operation, 'page.descending', descending, 'true or false');
    return { offset, limit, sortBy: sortBy as ResolvedTaskPage['sortBy'], descending };
  }

  /** A retention policy (every cutoff optional). */
  checkRetentionPolicy(policy: unknown, operation = 'cleanup'): RetentionPolicy {
    if (!isRecord(policy)) throw this.invalidArgument(operation, 'policy', policy, 'a retention policy object');
    for (const key of RETENTION_KEYS) if (policy[key] !== undefined) this.checkTime(policy[key], operation, `policy.${key}`);
    return policy as RetentionPolicy;
  }

  /** A wake-up to send. */
  checkNotification(notification: unknown, operation = 'notify'): StorageNotification {
    if (!isRecord(notification)) throw this.invalidArgument(operation, 'notification', notification, 'a notification { kind, dueAt?, taskId? }');
    if (!NOTIFICATION_KINDS.includes(notification.kind)) {
      throw this.invalidArgument(operation, 'notification.kind', notification.kind, "'task-available', 'task-cancelled', 'task-events', 'task-events-watch' or 'queue-state'");
    }
    if (notification.kind === 'task-events' || notification.kind === 'task-events-watch') {
      const id = notification.instanceId;
      if (typeof id !== 'string' || id.length === 0 || id.length > 200) {
        throw this.invalidArgument(operation, 'notification.instanceId', id, 'the sending instance id (1–200 characters)');
      }
    }
    if (notification.kind === 'task-events') {
      if (!Array.isArray(notification.events)) throw this.invalidArgument(operation, 'notification.events', notification.events, 'an array of task event entries');
      const bad = notification.events.findIndex((entry) => !isTaskEventEntry(entry));
      if (bad >= 0) {
        throw this.invalidArgument(operation, `notification.events[${bad}]`, notification.events[bad], 'a task event entry { type, taskId, taskName, queue, status, at, attempt?, error? }');
      }
    }
    if (notification.dueAt !== undefined) this.checkTime(notification.dueAt, operation, 'notification.dueAt');
    if (notification.taskId !== undefined) this.checkId(notification.taskId, operation, 'notification.taskId');
    return notification as unknown as StorageNotification;
  }

  /** A notification listener. */
  checkListener<T extends (...args: never[]) => unknown>(listener: unknown, operation = 'subscribe'): T {
    if (typeof listener !== 'function') throw this.invalidArgument(operation, 'listener', listener, 'a function');
    return listener as T;
  }
}
