import {
  InvalidArgumentError,
  type AddOptions,
  type InstanceRegistry,
  type ClaimRequest,
  type ExecutionLogEntry,
  type NewTask,
  type PendingCursor,
  type RetentionPolicy,
  type RetentionResult,
  type RunAuditEntry,
  type StatusAuditEntry,
  type StatusCount,
  type StorageCapabilities,
  type StoredTask,
  type TaskFilter,
  type TaskPage,
  type TaskPatch,
  type TaskQueryResult,
  type TaskStatus,
  type LogLevel,
  type PausedQueue,
  type QueueStateChange,
  type TaskStorage,
  type TaskTransition,
  type TaskGroup,
  type TaskGroupRequest,
  type TimelineBucket,
  type TimelineRequest,
} from 'evertask';
import { SqliteConnection } from './connection.js';
import { DEFAULT_LOG_PAGE_SIZE, patchedFields, StorageChecks, checkInstanceId, checkInstanceRecord } from 'evertask/storage-kit';
import { Migrator } from './migrator.js';
import { claimDueTasks, nextDueAt, renewLeases } from './queries/claims.js';
import { logsOf, runAuditOf, saveLogs, statusAuditOf } from './queries/history.js';
import { heartbeat, listInstances, removeInstance } from './queries/instances.js';
import { pausedQueues, setQueuePaused } from './queries/queue-state.js';
import {
  countTasks,
  getTask,
  getTaskByKey,
  pendingTasks,
  queryTasks,
  registerReadFunctions,
  whereClause,
} from './queries/reads.js';
import { cleanup } from './queries/retention.js';
import { createSession, type SqliteSession } from './queries/session.js';
import { countLogs, taskGroups, taskTimeline } from './queries/statistics.js';
import { tableNames } from './queries/tables.js';
import { insertTasks, removeTask, replaceTask, updateTask } from './queries/tasks.js';
import { applyTransitions } from './queries/transitions.js';
import { resolveOptions, type SqliteStorageOptions } from './sqlite-storage-options.js';

const checks = new StorageChecks('SqliteStorage');

/**
 * EverTask storage on SQLite through better-sqlite3: one file, shared safely by several processes
 * on one machine. Statuses and times live in indexed columns, so every filter and the due-task query
 * run inside SQLite; each status change and its audit row, and each batch of them, is one transaction.
 *
 * better-sqlite3 is synchronous: every call runs on the event loop. Statements are prepared once
 * and batches share one transaction, so each call is short; a lock held by another process is
 * waited for mostly asynchronously (see `busyTimeoutMs`).
 *
 * Each method validates its arguments here, then runs one unit of work from `queries/` on the
 * connection (which retries while another process holds the lock).
 */
export class SqliteStorage implements TaskStorage {
  /**
   * A file is persistent and may be shared by processes; a private `':memory:'` database is neither.
   * Cross-process wake-ups are not offered (no `notifications` role): other processes see new work
   * at their next safety sweep or timer.
   */
  readonly capabilities: StorageCapabilities;

  readonly #connection: SqliteConnection<SqliteSession>;

  constructor(options: SqliteStorageOptions) {
    const resolved = resolveOptions(options);
    const tables = tableNames(resolved.tablePrefix);
    this.#connection = new SqliteConnection<SqliteSession>(resolved, (db) => {
      const location = this.#connection.location;
      new Migrator(tables, location).prepare(db, resolved.migrate);
      registerReadFunctions(db);
      return createSession(db, tables, location);
    });
    const memory =
      resolved.database !== undefined
        ? resolved.database.memory
        : resolved.filename === ':memory:' || resolved.filename?.startsWith('file::memory:') === true;
    this.capabilities = Object.freeze({
      persistent: !memory,
      multiProcess: !memory,
      transactionalDispatch: false,
    });
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  async open(): Promise<void> {
    return this.#connection.open();
  }

  async close(): Promise<void> {
    return this.#connection.close();
  }

  // ---- tasks -------------------------------------------------------------------------------------

  async add(tasks: readonly NewTask[], options?: AddOptions): Promise<void> {
    checks.checkNewTasks(tasks, 'add');
    this.#refuseTx(options, 'add');
    if (tasks.length === 0) return;
    const audit = options?.audit === true;
    await this.#connection.run('add', (session) => insertTasks(session, tasks, audit));
  }

  async get(id: string): Promise<StoredTask | undefined> {
    checks.checkId(id, 'get');
    return this.#connection.run('get', (session) => getTask(session, id));
  }

  async getByTaskKey(taskKey: string): Promise<StoredTask | undefined> {
    checks.checkText(taskKey, 'getByTaskKey', 'taskKey');
    return this.#connection.run('getByTaskKey', (session) => getTaskByKey(session, taskKey));
  }

  async update(id: string, patch: TaskPatch, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    checks.checkId(id, 'update');
    const fields = patchedFields(checks.checkPatch(patch, 'update'));
    if (ifStatus !== undefined) {
      checks.checkStatuses(ifStatus, 'update', 'ifStatus');
      if (ifStatus.length === 0) return false;
    }
    return this.#connection.run('update', (session) => updateTask(session, id, patch, fields, ifStatus));
  }

  async replace(previousId: string, ifStatus: readonly TaskStatus[], task: NewTask, options?: AddOptions): Promise<boolean> {
    checks.checkReplacement(previousId, ifStatus, task, 'replace');
    this.#refuseTx(options, 'replace');
    const audit = options?.audit === true;
    return this.#connection.run('replace', (session) => replaceTask(session, previousId, ifStatus, task, audit));
  }

  async remove(id: string, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    checks.checkId(id, 'remove');
    if (ifStatus !== undefined) {
      checks.checkStatuses(ifStatus, 'remove', 'ifStatus');
      if (ifStatus.length === 0) return false;
    }
    return this.#connection.run('remove', (session) => removeTask(session, id, ifStatus));
  }

  async transition(changes: readonly TaskTransition[]): Promise<boolean[]> {
    const prepared = checks
      .checkTransitions(changes, 'transition')
      .map((change) => ({ change, fields: change.patch === undefined ? [] : patchedFields(change.patch) }));
    if (prepared.length === 0) return [];
    return this.#connection.run('transition', (session) => applyTransitions(session, prepared));
  }

  // ---- work distribution ---------------------------------------------------------------------------

  async claimDue(request: ClaimRequest): Promise<StoredTask[]> {
    const { owner, now, limit, leaseMs, queues, names } = checks.checkClaimRequest(request);
    if (limit === 0 || queues?.length === 0 || names?.length === 0) return [];
    const queuesJson = queues === undefined ? undefined : JSON.stringify(queues);
    const namesJson = names === undefined ? undefined : JSON.stringify(names);
    return this.#connection.run('claimDue', (session) => claimDueTasks(session, { owner, now, limit, leaseMs, queuesJson, namesJson }));
  }

  async renewLeases(owner: string, now: number, leaseMs: number, ids?: readonly string[]): Promise<number> {
    checks.checkRenewal(owner, now, leaseMs, ids);
    return this.#connection.run('renewLeases', (session) => renewLeases(session, owner, now + leaseMs, ids));
  }

  async nextDueAt(queues?: readonly string[], names?: readonly string[]): Promise<number | undefined> {
    checks.checkQueues(queues, 'nextDueAt');
    checks.checkTaskNames(names, 'nextDueAt');
    if (queues?.length === 0 || names?.length === 0) return undefined;
    return this.#connection.run('nextDueAt', (session) => nextDueAt(session, queues, names));
  }

  // ---- queue state -------------------------------------------------------------------------------

  async setQueuePaused(queue: string, paused: boolean, change: QueueStateChange): Promise<boolean> {
    const { actor, at } = checks.checkQueueState(queue, paused, change);
    return this.#connection.run('setQueuePaused', (session) => setQueuePaused(session, queue, paused, { actor, at }));
  }

  async pausedQueues(): Promise<PausedQueue[]> {
    return this.#connection.run('pausedQueues', (session) => pausedQueues(session));
  }

  // ---- instance registry ---------------------------------------------------------------------------

  /** The instance registry, in the same file (one row per engine). */
  readonly instances: InstanceRegistry = {
    heartbeat: async (instance) => {
      const record = checkInstanceRecord(instance, 'SqliteStorage.instances.heartbeat');
      await this.#connection.run('instances.heartbeat', (session) => heartbeat(session, record));
    },
    remove: async (id) => {
      checkInstanceId(id, 'SqliteStorage.instances.remove');
      await this.#connection.run('instances.remove', (session) => removeInstance(session, id));
    },
    list: async () => this.#connection.run('instances.list', (session) => listInstances(session)),
  };

  // ---- queries ---------------------------------------------------------------------------------------

  async pending(after: PendingCursor | undefined, limit: number): Promise<StoredTask[]> {
    checks.checkPendingCursor(after);
    checks.checkCount(limit, 'pending', 'limit');
    if (limit === 0) return [];
    return this.#connection.run('pending', (session) => pendingTasks(session, after, limit));
  }

  async query(filter: TaskFilter, page?: TaskPage): Promise<TaskQueryResult> {
    const where = whereClause(checks.checkFilter(filter, 'query'));
    const resolvedPage = checks.checkPage(page);
    return this.#connection.run('query', (session) => queryTasks(session, where, resolvedPage));
  }

  async count(filter: TaskFilter = {}): Promise<StatusCount[]> {
    const where = whereClause(checks.checkFilter(filter, 'count'));
    return this.#connection.run('count', (session) => countTasks(session, where));
  }

  // ---- history -------------------------------------------------------------------------------------

  async getStatusAudit(taskId: string): Promise<StatusAuditEntry[]> {
    checks.checkId(taskId, 'getStatusAudit', 'taskId');
    return this.#connection.run('getStatusAudit', (session) => statusAuditOf(session, taskId));
  }

  async getRunAudit(taskId: string): Promise<RunAuditEntry[]> {
    checks.checkId(taskId, 'getRunAudit', 'taskId');
    return this.#connection.run('getRunAudit', (session) => runAuditOf(session, taskId));
  }

  async saveExecutionLogs(taskId: string, logs: readonly ExecutionLogEntry[]): Promise<void> {
    checks.checkId(taskId, 'saveExecutionLogs', 'taskId');
    checks.checkLogs(logs, 'saveExecutionLogs');
    if (logs.length === 0) return;
    await this.#connection.run('saveExecutionLogs', (session) => saveLogs(session, taskId, logs));
  }

  async getExecutionLogs(taskId: string, skip = 0, take = DEFAULT_LOG_PAGE_SIZE, minLevel?: LogLevel): Promise<ExecutionLogEntry[]> {
    const levels = checks.checkLogRead(taskId, skip, take, minLevel);
    if (take === 0) return [];
    return this.#connection.run('getExecutionLogs', (session) => logsOf(session, taskId, skip, take, levels));
  }

  // ---- statistics ------------------------------------------------------------------------------

  async countExecutionLogs(taskId: string, minLevel?: LogLevel): Promise<number> {
    const levels = checks.checkLogCount(taskId, minLevel);
    return this.#connection.run('countExecutionLogs', (session) => countLogs(session, taskId, levels));
  }

  async taskTimeline(request: TimelineRequest): Promise<TimelineBucket[]> {
    const checked = checks.checkTimelineRequest(request);
    return this.#connection.run('taskTimeline', (session) => taskTimeline(session, checked));
  }

  async taskGroups(request: TaskGroupRequest): Promise<TaskGroup[]> {
    const checked = checks.checkGroupRequest(request);
    return this.#connection.run('taskGroups', (session) => taskGroups(session, checked));
  }

  // ---- maintenance ---------------------------------------------------------------------------------

  async cleanup(policy: RetentionPolicy): Promise<RetentionResult> {
    checks.checkRetentionPolicy(policy);
    return cleanup((operation, work) => this.#connection.run(operation, work), policy);
  }

  #refuseTx(options: AddOptions | undefined, operation: string): void {
    if (options?.tx !== undefined) {
      throw new InvalidArgumentError(`SqliteStorage.${operation}: "tx" is not supported (capabilities.transactionalDispatch is false).`);
    }
  }
}
