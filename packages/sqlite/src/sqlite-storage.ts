import {
  InvalidArgumentError,
  checkInstanceId,
  checkInstanceRecord,
  type AddOptions,
  type InstanceRecord,
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
  type TaskStorage,
  type TaskTransition,
} from 'evertask';
import { SqliteConnection } from './connection.js';
import {
  invalid,
  resolvePage,
  validateClaim,
  validateCount,
  validateCursor,
  validateFilter,
  validateId,
  validateLeaseMs,
  validateLogs,
  validatePatch,
  validateQueues,
  validateStatuses,
  validateString,
  validateTask,
  validateTime,
  validateTransition,
} from './input-validation.js';
import { Migrator } from './migrator.js';
import { claimDueTasks, nextDueAt, renewLeases } from './queries/claims.js';
import { countLogsOf, logsOf, runAuditOf, saveLogs, statusAuditOf } from './queries/history.js';
import { heartbeat, listInstances, removeInstance } from './queries/instances.js';
import {
  countTasks,
  getTask,
  getTaskByKey,
  pendingTasks,
  queryTasks,
  registerReadFunctions,
  scheduledTasks,
  whereClause,
} from './queries/reads.js';
import { cleanup } from './queries/retention.js';
import { createSession, type SqliteSession } from './queries/session.js';
import { tableNames } from './queries/tables.js';
import { insertTasks, removeTask, updateTask } from './queries/tasks.js';
import { applyTransitions } from './queries/transitions.js';
import { resolveOptions, type SqliteStorageOptions } from './sqlite-storage-options.js';

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
   * Cross-process wake-ups are not offered (`notifications: false`): other processes see new work
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
      notifications: false,
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
    if (!Array.isArray(tasks)) throw invalid('tasks', tasks, 'an array of tasks');
    if (options?.tx !== undefined) {
      throw new InvalidArgumentError(
        'SqliteStorage.add: "tx" is not supported (capabilities.transactionalDispatch is false).',
      );
    }
    tasks.forEach((task: unknown, i) => validateTask(task, `tasks[${i}]`));
    if (tasks.length === 0) return;
    const audit = options?.audit === true;
    await this.#connection.run('add', (session) => insertTasks(session, tasks, audit));
  }

  async get(id: string): Promise<StoredTask | undefined> {
    validateId(id, 'id');
    return this.#connection.run('get', (session) => getTask(session, id));
  }

  async getByTaskKey(taskKey: string): Promise<StoredTask | undefined> {
    validateString(taskKey, 'taskKey');
    return this.#connection.run('getByTaskKey', (session) => getTaskByKey(session, taskKey));
  }

  async update(id: string, patch: TaskPatch, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    validateId(id, 'id');
    const fields = validatePatch(patch, 'patch');
    if (ifStatus !== undefined) {
      validateStatuses(ifStatus, 'ifStatus');
      if (ifStatus.length === 0) return false;
    }
    return this.#connection.run('update', (session) => updateTask(session, id, patch, fields, ifStatus));
  }

  async remove(id: string): Promise<boolean> {
    validateId(id, 'id');
    return this.#connection.run('remove', (session) => removeTask(session, id));
  }

  async transition(changes: readonly TaskTransition[]): Promise<boolean[]> {
    if (!Array.isArray(changes)) throw invalid('changes', changes, 'an array of transitions');
    const prepared = changes.map((change: unknown, i) => ({
      change: change as TaskTransition,
      fields: validateTransition(change, `changes[${i}]`),
    }));
    if (prepared.length === 0) return [];
    return this.#connection.run('transition', (session) => applyTransitions(session, prepared));
  }

  // ---- work distribution ---------------------------------------------------------------------------

  async claimDue(request: ClaimRequest): Promise<StoredTask[]> {
    const { owner, now, limit, leaseMs, queues } = validateClaim(request);
    if (limit === 0 || queues?.length === 0) return [];
    const queuesJson = queues === undefined ? undefined : JSON.stringify(queues);
    return this.#connection.run('claimDue', (session) => claimDueTasks(session, { owner, now, limit, leaseMs, queuesJson }));
  }

  async renewLeases(owner: string, now: number, leaseMs: number, ids?: readonly string[]): Promise<number> {
    validateString(owner, 'owner');
    validateTime(now, 'now');
    validateLeaseMs(leaseMs, 'leaseMs');
    if (ids !== undefined) {
      if (!Array.isArray(ids)) throw invalid('ids', ids, 'an array of task ids');
      ids.forEach((id: unknown, i) => validateString(id, `ids[${i}]`));
    }
    return this.#connection.run('renewLeases', (session) => renewLeases(session, owner, now + leaseMs, ids));
  }

  async nextDueAt(queues?: readonly string[]): Promise<number | undefined> {
    validateQueues(queues, 'queues');
    if (queues?.length === 0) return undefined;
    return this.#connection.run('nextDueAt', (session) => nextDueAt(session, queues));
  }

  // ---- instance registry ---------------------------------------------------------------------------

  async heartbeatInstance(instance: InstanceRecord): Promise<void> {
    const record = checkInstanceRecord(instance, 'heartbeatInstance');
    await this.#connection.run('heartbeatInstance', (session) => heartbeat(session, record));
  }

  async removeInstance(id: string): Promise<void> {
    checkInstanceId(id, 'removeInstance');
    await this.#connection.run('removeInstance', (session) => removeInstance(session, id));
  }

  async listInstances(): Promise<InstanceRecord[]> {
    return this.#connection.run('listInstances', (session) => listInstances(session));
  }

  // ---- queries ---------------------------------------------------------------------------------------

  async pending(after: PendingCursor | undefined, limit: number): Promise<StoredTask[]> {
    validateCursor(after);
    validateCount(limit, 'limit');
    if (limit === 0) return [];
    return this.#connection.run('pending', (session) => pendingTasks(session, after, limit));
  }

  async scheduled(until: number, limit: number): Promise<StoredTask[]> {
    validateTime(until, 'until');
    validateCount(limit, 'limit');
    if (limit === 0) return [];
    return this.#connection.run('scheduled', (session) => scheduledTasks(session, until, limit));
  }

  async query(filter: TaskFilter, page?: TaskPage): Promise<TaskQueryResult> {
    const where = whereClause(validateFilter(filter));
    const resolvedPage = resolvePage(page);
    return this.#connection.run('query', (session) => queryTasks(session, where, resolvedPage));
  }

  async count(filter: TaskFilter = {}): Promise<StatusCount[]> {
    const where = whereClause(validateFilter(filter));
    return this.#connection.run('count', (session) => countTasks(session, where));
  }

  // ---- history -------------------------------------------------------------------------------------

  async getStatusAudit(taskId: string): Promise<StatusAuditEntry[]> {
    validateId(taskId, 'taskId');
    return this.#connection.run('getStatusAudit', (session) => statusAuditOf(session, taskId));
  }

  async getRunAudit(taskId: string): Promise<RunAuditEntry[]> {
    validateId(taskId, 'taskId');
    return this.#connection.run('getRunAudit', (session) => runAuditOf(session, taskId));
  }

  async saveExecutionLogs(taskId: string, logs: readonly ExecutionLogEntry[]): Promise<void> {
    validateId(taskId, 'taskId');
    validateLogs(logs, 'logs');
    if (logs.length === 0) return;
    await this.#connection.run('saveExecutionLogs', (session) => saveLogs(session, taskId, logs));
  }

  async getExecutionLogs(taskId: string, skip = 0, take = 1000): Promise<ExecutionLogEntry[]> {
    validateId(taskId, 'taskId');
    validateCount(skip, 'skip');
    validateCount(take, 'take');
    if (take === 0) return [];
    return this.#connection.run('getExecutionLogs', (session) => logsOf(session, taskId, skip, take));
  }

  async countExecutionLogs(taskId: string): Promise<number> {
    validateId(taskId, 'taskId');
    return this.#connection.run('countExecutionLogs', (session) => countLogsOf(session, taskId));
  }

  // ---- maintenance ---------------------------------------------------------------------------------

  async cleanup(policy: RetentionPolicy): Promise<RetentionResult> {
    if (typeof policy !== 'object' || policy === null) throw invalid('policy', policy, 'an object');
    for (const key of ['completedBefore', 'failedBefore', 'auditBefore', 'logsBefore'] as const) {
      if (policy[key] !== undefined) validateTime(policy[key], `policy.${key}`);
    }
    return cleanup((operation, work) => this.#connection.run(operation, work), policy);
  }
}
