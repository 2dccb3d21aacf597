import { StorageError, TaskKeyConflictError } from '../../errors.js';
import type { PausedQueue, QueueStateChange } from '../../ports/queue-state.js';
import type { ExecutionLogEntry, LogLevel, RunAuditEntry, StatusAuditEntry, StoredTask, TaskPatch, TaskStatus } from '../../ports/task-record.js';
import type {
  AddOptions,
  ClaimRequest,
  InstanceRegistry,
  NewTask,
  NotificationChannel,
  PendingCursor,
  RetentionPolicy,
  RetentionResult,
  StatusCount,
  StorageCapabilities,
  TaskFilter,
  TaskPage,
  TaskQueryResult,
  TaskStorage,
  TaskTransition,
} from '../../ports/task-storage.js';
import type { TaskGroup, TaskGroupRequest, TimelineBucket, TimelineRequest } from '../../ports/task-statistics.js';
import { checkInstanceId, checkInstanceRecord } from '../../storage-kit/instance-checks.js';
import { applyPatch } from '../../storage-kit/record-checks.js';
import { StorageChecks } from '../../storage-kit/storage-checks.js';
import { copyTaskFields } from '../../storage-kit/task-fields.js';
import { DEFAULT_LOG_PAGE_SIZE } from '../../storage-kit/task-page.js';
import { claimDueTasks, nextDueTime, renewOwnedLeases } from './lease-claims.js';
import { MemoryInstances } from './memory-instances.js';
import { LocalRateLimits } from '../../rate-limit/local-rate-limits.js';
import type { RateLimitStore } from '../../ports/rate-limit-store.js';
import { MemoryNotifier } from './memory-notifier.js';
import { MemoryQueueState } from './memory-queue-state.js';
import { applyRetention } from './memory-retention.js';
import { TaskHistory } from './task-history.js';
import { copyTask, countTasks, pendingTasks, queryTasks } from './task-queries.js';
import { taskGroups, taskTimeline } from './task-statistics.js';
import { TaskTable } from './task-table.js';

const checks = new StorageChecks('MemoryStorage');

/**
 * The in-memory reference implementation of {@link TaskStorage}, and the engine's default storage.
 *
 * Every hot operation is O(log n) or better: tasks live in a `Map` by id, with a task-key index,
 * per-queue time indexes (an `IndexedMinHeap` of distinct times, each with its ids) of due tasks
 * (`waiting`/`service-stopped` by `dueAt`) and of leases (`queued`/`in-progress` by
 * `leaseExpiresAt`), an owner → tasks index for lease renewal, and a (createdAt, id) order of
 * non-terminal tasks for keyset paging. Dashboard queries (`query`, `count`), the statistics
 * (`taskTimeline`, `taskGroups`: one pass each) and `cleanup` scan.
 *
 * Records are copied in and out, so callers can never change the stored state by mutating an
 * object. Every method runs to completion without yielding, so each call is atomic and concurrent
 * claimers in one process never receive the same task.
 *
 * Data lives only as long as the process (`persistent: false`) and is shared only by engines of
 * the same process that are handed the same instance (`multiProcess: false`); `notify` reaches the
 * listeners of every engine sharing the instance, asynchronously (a listener that throws affects
 * nobody). `close()` drops the subscriptions and makes operations throw `StorageError` until
 * `open()` is called again; the data is kept. The constructor takes no options.
 *
 * Choices where the port leaves room: an empty `queues` list selects no queue; `update` leaves
 * `updatedAt` unchanged (it receives no time); the status-audit row written by `add` is dated
 * `createdAt`; `query` sorts nulls last in both directions and breaks ties by id in the sort
 * direction; `createdAfter` is inclusive and `createdBefore` exclusive.
 *
 * @example
 * ```ts
 * const storage = new MemoryStorage();
 * const everTask = new EverTask({ storage, tasks: [sendWelcome] });
 * ```
 */
export class MemoryStorage implements TaskStorage {
  readonly capabilities: StorageCapabilities = Object.freeze({
    persistent: false,
    multiProcess: false,
    transactionalDispatch: false,
  });

  #closed = false;
  readonly #table = new TaskTable();
  readonly #history = new TaskHistory();
  readonly #registry = new MemoryInstances();
  readonly #notifier = new MemoryNotifier();
  readonly #queueState = new MemoryQueueState();

  async open(): Promise<void> {
    this.#closed = false;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#notifier.clear();
  }

  // ---- tasks -----------------------------------------------------------------------------------

  async add(tasks: readonly NewTask[], options?: AddOptions): Promise<void> {
    this.#requireOpen();
    this.#checkFree(checks.checkNewTasks(tasks, 'add'));
    const audit = options?.audit === true;
    for (const task of tasks) {
      this.#table.insert(copyTaskFields(task));
      if (audit) this.#history.appendStatusAudit(task.id, task.status, task.createdAt, null, null);
    }
  }

  async get(id: string): Promise<StoredTask | undefined> {
    this.#requireOpen();
    const task = this.#table.get(checks.checkId(id, 'get'));
    return task === undefined ? undefined : copyTask(task);
  }

  async getByTaskKey(taskKey: string): Promise<StoredTask | undefined> {
    this.#requireOpen();
    const task = this.#table.byKey(checks.checkText(taskKey, 'getByTaskKey', 'taskKey'));
    return task === undefined ? undefined : copyTask(task);
  }

  async update(id: string, patch: TaskPatch, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    this.#requireOpen();
    checks.checkId(id, 'update');
    checks.checkPatch(patch, 'update');
    if (ifStatus !== undefined) checks.checkStatuses(ifStatus, 'update', 'ifStatus');
    const task = this.#table.get(id);
    if (task === undefined || (ifStatus !== undefined && !ifStatus.includes(task.status))) return false;
    this.#table.mutate(task, (stored) => applyPatch(stored, patch));
    return true;
  }

  async remove(id: string, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    this.#requireOpen();
    const task = this.#table.get(checks.checkId(id, 'remove'));
    if (ifStatus !== undefined) checks.checkStatuses(ifStatus, 'remove', 'ifStatus');
    if (task === undefined || (ifStatus !== undefined && !ifStatus.includes(task.status))) return false;
    this.#table.delete(task);
    this.#history.deleteTask(task.id);
    return true;
  }

  async replace(previousId: string, ifStatus: readonly TaskStatus[], task: NewTask, options?: AddOptions): Promise<boolean> {
    this.#requireOpen();
    checks.checkReplacement(previousId, ifStatus, task, 'replace');
    const previous = this.#table.get(previousId);
    if (previous === undefined || !ifStatus.includes(previous.status)) return false;
    const held = task.taskKey === null ? undefined : this.#table.byKey(task.taskKey);
    if (held !== undefined && held.id !== previousId) throw new TaskKeyConflictError(task.taskKey as string);
    if (this.#table.has(task.id)) throw new StorageError(`MemoryStorage.replace: a task with id "${task.id}" already exists.`);
    this.#table.delete(previous);
    this.#table.insert(copyTaskFields(task));
    this.#history.moveTask(previousId, task.id);
    if (options?.audit === true) this.#history.appendStatusAudit(task.id, task.status, task.createdAt, null, null);
    return true;
  }

  async transition(changes: readonly TaskTransition[]): Promise<boolean[]> {
    this.#requireOpen();
    checks.checkTransitions(changes, 'transition');
    return changes.map((change) => this.#applyTransition(change));
  }

  // ---- work distribution -----------------------------------------------------------------------

  async claimDue(request: ClaimRequest): Promise<StoredTask[]> {
    this.#requireOpen();
    return claimDueTasks(this.#table, checks.checkClaimRequest(request), this.#queueState.names);
  }

  async renewLeases(owner: string, now: number, leaseMs: number, ids?: readonly string[]): Promise<number> {
    this.#requireOpen();
    checks.checkRenewal(owner, now, leaseMs, ids);
    return renewOwnedLeases(this.#table, owner, now, leaseMs, ids);
  }

  async nextDueAt(queues?: readonly string[], names?: readonly string[]): Promise<number | undefined> {
    this.#requireOpen();
    return nextDueTime(this.#table, checks.checkQueues(queues, 'nextDueAt'), checks.checkTaskNames(names, 'nextDueAt'), this.#queueState.names);
  }

  // ---- queue state -----------------------------------------------------------------------------

  async setQueuePaused(queue: string, paused: boolean, change: QueueStateChange): Promise<boolean> {
    this.#requireOpen();
    const checked = checks.checkQueueState(queue, paused, change);
    return this.#queueState.set(queue, paused, { actor: checked.actor, at: checked.at });
  }

  async pausedQueues(): Promise<PausedQueue[]> {
    this.#requireOpen();
    return this.#queueState.list();
  }

  // ---- queries ---------------------------------------------------------------------------------

  async pending(after: PendingCursor | undefined, limit: number): Promise<StoredTask[]> {
    this.#requireOpen();
    return pendingTasks(this.#table, checks.checkPendingCursor(after), checks.checkCount(limit, 'pending', 'limit'));
  }

  async query(filter: TaskFilter, page?: TaskPage): Promise<TaskQueryResult> {
    this.#requireOpen();
    return queryTasks(this.#table, checks.checkFilter(filter, 'query'), checks.checkPage(page));
  }

  async count(filter: TaskFilter = {}): Promise<StatusCount[]> {
    this.#requireOpen();
    return countTasks(this.#table, checks.checkFilter(filter, 'count'));
  }

  // ---- history ---------------------------------------------------------------------------------

  async getStatusAudit(taskId: string): Promise<StatusAuditEntry[]> {
    this.#requireOpen();
    return this.#history.statusAudit(checks.checkId(taskId, 'getStatusAudit', 'taskId'));
  }

  async getRunAudit(taskId: string): Promise<RunAuditEntry[]> {
    this.#requireOpen();
    return this.#history.runAudit(checks.checkId(taskId, 'getRunAudit', 'taskId'));
  }

  async saveExecutionLogs(taskId: string, logs: readonly ExecutionLogEntry[]): Promise<void> {
    this.#requireOpen();
    checks.checkId(taskId, 'saveExecutionLogs', 'taskId');
    checks.checkLogs(logs, 'saveExecutionLogs');
    if (logs.length === 0) return;
    if (!this.#table.has(taskId)) throw new StorageError(`MemoryStorage.saveExecutionLogs: cannot save logs of unknown task "${taskId}".`);
    this.#history.appendLogs(taskId, logs);
  }

  async getExecutionLogs(taskId: string, skip = 0, take = DEFAULT_LOG_PAGE_SIZE, minLevel?: LogLevel): Promise<ExecutionLogEntry[]> {
    this.#requireOpen();
    const levels = checks.checkLogRead(taskId, skip, take, minLevel);
    return this.#history.logs(taskId, skip, take, levels);
  }

  async countExecutionLogs(taskId: string, minLevel?: LogLevel): Promise<number> {
    this.#requireOpen();
    return this.#history.logCount(taskId, checks.checkLogCount(taskId, minLevel));
  }

  // ---- statistics ------------------------------------------------------------------------------

  async taskTimeline(request: TimelineRequest): Promise<TimelineBucket[]> {
    this.#requireOpen();
    return taskTimeline(this.#table, checks.checkTimelineRequest(request));
  }

  async taskGroups(request: TaskGroupRequest): Promise<TaskGroup[]> {
    this.#requireOpen();
    return taskGroups(this.#table, checks.checkGroupRequest(request));
  }

  // ---- maintenance -----------------------------------------------------------------------------

  async cleanup(policy: RetentionPolicy): Promise<RetentionResult> {
    this.#requireOpen();
    return applyRetention(this.#table, this.#history, checks.checkRetentionPolicy(policy));
  }

  // ---- optional roles ------------------------------------------------------------------------

  /** Rate-limit budgets of the engines sharing this instance (one process). */
  readonly rateLimits: RateLimitStore = new LocalRateLimits();

  /** The instance registry (records copied in and out). */
  readonly instances: InstanceRegistry = {
    heartbeat: async (instance) => {
      this.#requireOpen();
      this.#registry.heartbeat(checkInstanceRecord(instance, 'MemoryStorage.instances.heartbeat'));
    },
    remove: async (id) => {
      this.#requireOpen();
      this.#registry.remove(checkInstanceId(id, 'MemoryStorage.instances.remove'));
    },
    list: async () => {
      this.#requireOpen();
      return this.#registry.list();
    },
  };

  /** Wake-ups for every engine sharing this instance, delivered asynchronously. */
  readonly notifications: NotificationChannel = {
    subscribe: async (listener) => {
      this.#requireOpen();
      return this.#notifier.subscribe(checks.checkListener(listener));
    },
    notify: async (notification) => {
      this.#requireOpen();
      this.#notifier.notify(checks.checkNotification(notification));
    },
  };

  // ---- internals -------------------------------------------------------------------------------

  #requireOpen(): void {
    if (this.#closed) throw new StorageError('MemoryStorage: storage is closed; call open() before using it.');
  }

  /** Rejects a batch whose ids or task keys are taken (by a stored task or earlier in the batch). */
  #checkFree(tasks: readonly NewTask[]): void {
    const ids = new Set<string>();
    const keys = new Set<string>();
    tasks.forEach((task, i) => {
      if (this.#table.has(task.id) || ids.has(task.id)) {
        throw new StorageError(`MemoryStorage.add: a task with id "${task.id}" already exists (tasks[${i}]).`);
      }
      ids.add(task.id);
      if (task.taskKey !== null) {
        if (this.#table.hasKey(task.taskKey) || keys.has(task.taskKey)) throw new TaskKeyConflictError(task.taskKey);
        keys.add(task.taskKey);
      }
    });
  }

  #applyTransition(change: TaskTransition): boolean {
    const task = this.#table.get(change.id);
    if (task === undefined || !change.from.includes(task.status)) return false;
    if (change.owner !== undefined && task.leaseOwner !== change.owner) return false;
    const before = this.#table.snapshot(task);
    if (change.patch !== undefined) applyPatch(task, change.patch);
    task.status = change.to;
    task.updatedAt = change.at;
    this.#table.reindex(task, before);
    const history = this.#history;
    if (change.priorAudits !== undefined) {
      for (const prior of change.priorAudits) history.appendStatusAudit(task.id, prior.status, prior.at, prior.error, null);
    }
    if (change.audit !== undefined) history.appendStatusAudit(task.id, change.to, change.at, change.audit.error, change.audit.actor ?? null);
    if (change.runAudit !== undefined) history.appendRunAudit(task.id, change.runAudit);
    if (change.logs !== undefined && change.logs.length > 0) history.appendLogs(task.id, change.logs);
    return true;
  }
}
