import { InvalidArgumentError } from '../errors.js';
import type { LogLevel, StoredTask, TaskPatch, TaskStatus, ExecutionLogEntry, RunAuditEntry, StatusAuditEntry } from '../ports/task-record.js';
import type {
  AddOptions,
  ClaimRequest,
  InstanceRecord,
  InstanceRegistry,
  NewTask,
  NotificationChannel,
  PendingCursor,
  RetentionPolicy,
  RetentionResult,
  StatusCount,
  StorageCapabilities,
  StorageNotification,
  TaskFilter,
  TaskPage,
  TaskQueryResult,
  TaskStorage,
  TaskTransition,
} from '../ports/task-storage.js';
import type { PausedQueue, QueueStateChange } from '../ports/queue-state.js';
import type { RateLimitStore } from '../ports/rate-limit-store.js';
import type { TaskGroup, TaskGroupRequest, TimelineBucket, TimelineRequest } from '../ports/task-statistics.js';
import { checkInstanceId, checkInstanceRecord } from './instance-checks.js';
import { checkIntrospectLimit, checkRateLimitRequests, checkReservationId } from './rate-limit-checks.js';
import { StorageChecks } from './storage-checks.js';
import type { StorageLimits } from './field-types.js';
import { DEFAULT_LOG_PAGE_SIZE, type ResolvedTaskPage } from './task-page.js';

/**
 * The operations of a storage whose arguments `CheckedStorage` has already checked: each group
 * is one role of the port, as an adapter's `queries/` files implement it. Nothing here needs to
 * validate again, and the trivial cases (see `CheckedStorage`) never reach it.
 */
export interface UncheckedStorageRoles {
  readonly tasks: {
    add(tasks: readonly NewTask[], options: AddOptions): Promise<void>;
    update(id: string, patch: TaskPatch, ifStatus: readonly TaskStatus[] | undefined): Promise<boolean>;
    replace(previousId: string, ifStatus: readonly TaskStatus[], task: NewTask, options: AddOptions): Promise<boolean>;
    remove(id: string, ifStatus: readonly TaskStatus[] | undefined): Promise<boolean>;
  };
  readonly transitions: { transition(changes: readonly TaskTransition[]): Promise<boolean[]> };
  readonly claims: {
    claimDue(request: ClaimRequest): Promise<StoredTask[]>;
    renewLeases(owner: string, now: number, leaseMs: number, ids: readonly string[] | undefined): Promise<number>;
    nextDueAt(queues: readonly string[] | undefined, names: readonly string[] | undefined): Promise<number | undefined>;
  };
  readonly reads: {
    get(id: string): Promise<StoredTask | undefined>;
    getByTaskKey(taskKey: string): Promise<StoredTask | undefined>;
    pending(after: PendingCursor | undefined, limit: number): Promise<StoredTask[]>;
    query(filter: TaskFilter, page: ResolvedTaskPage): Promise<TaskQueryResult>;
    count(filter: TaskFilter): Promise<StatusCount[]>;
  };
  readonly history: {
    getStatusAudit(taskId: string): Promise<StatusAuditEntry[]>;
    getRunAudit(taskId: string): Promise<RunAuditEntry[]>;
    saveExecutionLogs(taskId: string, logs: readonly ExecutionLogEntry[]): Promise<void>;
    /** `levels`: the levels to return (`minLevel` and above), or undefined for all. */
    getExecutionLogs(taskId: string, skip: number, take: number, levels: readonly LogLevel[] | undefined): Promise<ExecutionLogEntry[]>;
  };
  readonly statistics: {
    countExecutionLogs(taskId: string, levels: readonly LogLevel[] | undefined): Promise<number>;
    taskTimeline(request: TimelineRequest): Promise<TimelineBucket[]>;
    taskGroups(request: TaskGroupRequest): Promise<TaskGroup[]>;
  };
  readonly queueState: {
    setQueuePaused(queue: string, paused: boolean, change: QueueStateChange): Promise<boolean>;
    pausedQueues(): Promise<PausedQueue[]>;
  };
  readonly retention: { cleanup(policy: RetentionPolicy): Promise<RetentionResult> };
}

/** What opens and closes a storage (a `StorageLifecycle`, or an adapter's own connection). */
export interface OpenClose {
  open(): Promise<void>;
  close(): Promise<void>;
}

/** The instance registry's statements, arguments unchecked (see `checkedInstanceRegistry`). */
export interface UncheckedInstanceRegistry {
  heartbeatInstance(instance: InstanceRecord): Promise<void>;
  removeInstance(id: string): Promise<void>;
  listInstances(): Promise<InstanceRecord[]>;
}

/**
 * The storage port with every argument checked before an adapter's statements run: a subclass
 * passes its role objects (its `queries/`) and its life cycle, declares its `capabilities` and
 * optional roles, and writes no checks of its own. A bad argument is an `InvalidArgumentError`
 * naming the storage, the operation and the argument; a refused call touches no data.
 *
 * Also decided here, for every adapter alike: the trivial calls that need no round trip (an empty
 * transition batch or log list, `limit` or `take` 0, an empty `ifStatus` on `update`/`remove`,
 * empty `queues` or `names`), and `options.tx` refused on a storage whose
 * `capabilities.transactionalDispatch` is false. (`add` and `replace` always reach the adapter,
 * which checks the type of its own `tx` first.)
 *
 * @example
 * ```ts
 * class MyStorage extends CheckedStorage {
 *   readonly capabilities = { persistent: true, multiProcess: true, transactionalDispatch: false };
 *   constructor(db: MyDb) {
 *     super('MyStorage', myQueries(db), new StorageLifecycle({ prepare, reopen, end }));
 *   }
 * }
 * ```
 */
export abstract class CheckedStorage implements TaskStorage {
  abstract readonly capabilities: StorageCapabilities;
  /** The checks, named after the storage (for the optional roles a subclass adds). */
  protected readonly checks: StorageChecks;
  readonly #roles: UncheckedStorageRoles;
  readonly #lifecycle: OpenClose;

  /**
   * @param storageName The class name shown in error messages (`'MySqlStorage'`).
   * @param roles The adapter's statements, one object per role.
   * @param lifecycle What `open()` and `close()` delegate to.
   * @param limits Narrower bounds when the storage's columns hold less. @defaultValue `DEFAULT_STORAGE_LIMITS`
   */
  protected constructor(storageName: string, roles: UncheckedStorageRoles, lifecycle: OpenClose, limits?: Partial<StorageLimits>) {
    this.checks = new StorageChecks(storageName, limits);
    this.#roles = roles;
    this.#lifecycle = lifecycle;
  }

  async open(): Promise<void> {
    return this.#lifecycle.open();
  }

  async close(): Promise<void> {
    return this.#lifecycle.close();
  }

  // ---- tasks ---------------------------------------------------------------------------------

  async add(tasks: readonly NewTask[], options: AddOptions = {}): Promise<void> {
    this.checks.checkNewTasks(tasks, 'add');
    this.#refuseTx(options, 'add');
    return this.#roles.tasks.add(tasks, options);
  }

  async get(id: string): Promise<StoredTask | undefined> {
    return this.#roles.reads.get(this.checks.checkId(id, 'get'));
  }

  async getByTaskKey(taskKey: string): Promise<StoredTask | undefined> {
    return this.#roles.reads.getByTaskKey(this.checks.checkText(taskKey, 'getByTaskKey', 'taskKey'));
  }

  async update(id: string, patch: TaskPatch, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    this.checks.checkId(id, 'update');
    this.checks.checkPatch(patch, 'update');
    if (ifStatus !== undefined && this.checks.checkStatuses(ifStatus, 'update', 'ifStatus').length === 0) return false;
    return this.#roles.tasks.update(id, patch, ifStatus);
  }

  async replace(previousId: string, ifStatus: readonly TaskStatus[], task: NewTask, options: AddOptions = {}): Promise<boolean> {
    this.checks.checkReplacement(previousId, ifStatus, task, 'replace');
    this.#refuseTx(options, 'replace');
    return this.#roles.tasks.replace(previousId, ifStatus, task, options);
  }

  async remove(id: string, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    this.checks.checkId(id, 'remove');
    if (ifStatus !== undefined && this.checks.checkStatuses(ifStatus, 'remove', 'ifStatus').length === 0) return false;
    return this.#roles.tasks.remove(id, ifStatus);
  }

  async transition(changes: readonly TaskTransition[]): Promise<boolean[]> {
    if (this.checks.checkTransitions(changes, 'transition').length === 0) return [];
    return this.#roles.transitions.transition(changes);
  }

  // ---- work distribution ---------------------------------------------------------------------

  async claimDue(request: ClaimRequest): Promise<StoredTask[]> {
    const checked = this.checks.checkClaimRequest(request);
    if (checked.limit === 0 || checked.queues?.length === 0 || checked.names?.length === 0) return [];
    return this.#roles.claims.claimDue(checked);
  }

  async renewLeases(owner: string, now: number, leaseMs: number, ids?: readonly string[]): Promise<number> {
    this.checks.checkRenewal(owner, now, leaseMs, ids);
    if (ids?.length === 0) return 0;
    return this.#roles.claims.renewLeases(owner, now, leaseMs, ids);
  }

  async nextDueAt(queues?: readonly string[], names?: readonly string[]): Promise<number | undefined> {
    this.checks.checkQueues(queues, 'nextDueAt');
    this.checks.checkTaskNames(names, 'nextDueAt');
    if (queues?.length === 0 || names?.length === 0) return undefined;
    return this.#roles.claims.nextDueAt(queues, names);
  }

  // ---- queue state ---------------------------------------------------------------------------

  async setQueuePaused(queue: string, paused: boolean, change: QueueStateChange): Promise<boolean> {
    const { actor, at } = this.checks.checkQueueState(queue, paused, change);
    return this.#roles.queueState.setQueuePaused(queue, paused, { actor, at });
  }

  async pausedQueues(): Promise<PausedQueue[]> {
    return this.#roles.queueState.pausedQueues();
  }

  // ---- queries -------------------------------------------------------------------------------

  async pending(after: PendingCursor | undefined, limit: number): Promise<StoredTask[]> {
    const cursor = this.checks.checkPendingCursor(after);
    if (this.checks.checkCount(limit, 'pending', 'limit') === 0) return [];
    return this.#roles.reads.pending(cursor, limit);
  }

  async query(filter: TaskFilter, page?: TaskPage): Promise<TaskQueryResult> {
    return this.#roles.reads.query(this.checks.checkFilter(filter, 'query'), this.checks.checkPage(page));
  }

  async count(filter: TaskFilter = {}): Promise<StatusCount[]> {
    return this.#roles.reads.count(this.checks.checkFilter(filter, 'count'));
  }

  // ---- history -------------------------------------------------------------------------------

  async getStatusAudit(taskId: string): Promise<StatusAuditEntry[]> {
    return this.#roles.history.getStatusAudit(this.checks.checkId(taskId, 'getStatusAudit', 'taskId'));
  }

  async getRunAudit(taskId: string): Promise<RunAuditEntry[]> {
    return this.#roles.history.getRunAudit(this.checks.checkId(taskId, 'getRunAudit', 'taskId'));
  }

  async saveExecutionLogs(taskId: string, logs: readonly ExecutionLogEntry[]): Promise<void> {
    this.checks.checkId(taskId, 'saveExecutionLogs', 'taskId');
    if (this.checks.checkLogs(logs, 'saveExecutionLogs').length === 0) return;
    return this.#roles.history.saveExecutionLogs(taskId, logs);
  }

  async getExecutionLogs(taskId: string, skip = 0, take = DEFAULT_LOG_PAGE_SIZE, minLevel?: LogLevel): Promise<ExecutionLogEntry[]> {
    const levels = this.checks.checkLogRead(taskId, skip, take, minLevel);
    if (take === 0) return [];
    return this.#roles.history.getExecutionLogs(taskId, skip, take, levels);
  }

  // ---- statistics ----------------------------------------------------------------------------

  async countExecutionLogs(taskId: string, minLevel?: LogLevel): Promise<number> {
    return this.#roles.statistics.countExecutionLogs(taskId, this.checks.checkLogCount(taskId, minLevel));
  }

  async taskTimeline(request: TimelineRequest): Promise<TimelineBucket[]> {
    return this.#roles.statistics.taskTimeline(this.checks.checkTimelineRequest(request));
  }

  async taskGroups(request: TaskGroupRequest): Promise<TaskGroup[]> {
    return this.#roles.statistics.taskGroups(this.checks.checkGroupRequest(request));
  }

  // ---- maintenance ---------------------------------------------------------------------------

  async cleanup(policy: RetentionPolicy): Promise<RetentionResult> {
    return this.#roles.retention.cleanup(this.checks.checkRetentionPolicy(policy));
  }

  #refuseTx(options: AddOptions, operation: string): void {
    if (typeof options !== 'object' || options === null) throw this.checks.invalidArgument(operation, 'options', options, 'an object');
    if (options.tx !== undefined && !this.capabilities.transactionalDispatch) {
      throw new InvalidArgumentError(
        `${this.checks.storageName}.${operation}: options.tx is not supported (capabilities.transactionalDispatch is false); dispatch without "tx".`,
      );
    }
  }
}

/** The instance registry over an adapter's statements, every argument checked first. */
export function checkedInstanceRegistry(storageName: string, statements: UncheckedInstanceRegistry): InstanceRegistry {
  return {
    heartbeat: async (instance) => statements.heartbeatInstance(checkInstanceRecord(instance, `${storageName}.instances.heartbeat`)),
    remove: async (id) => statements.removeInstance(checkInstanceId(id, `${storageName}.instances.remove`)),
    list: async () => statements.listInstances(),
  };
}

/** The rate-limit role over an adapter's statements, every argument checked first (an empty batch answers `[]` without a round trip). */
export function checkedRateLimits(storageName: string, statements: RateLimitStore): RateLimitStore {
  return {
    acquire: async (requests) => {
      const checked = checkRateLimitRequests(requests, `${storageName}.rateLimits.acquire`);
      return checked.length === 0 ? [] : statements.acquire(checked);
    },
    release: async (id) => statements.release(checkReservationId(id, `${storageName}.rateLimits.release`)),
    introspect: async (limit) => statements.introspect(checkIntrospectLimit(limit, `${storageName}.rateLimits.introspect`)),
  };
}

/** The notification role over an adapter's channel, every argument checked first. */
export function checkedNotifications(checks: StorageChecks, channel: NotificationChannel): NotificationChannel {
  return {
    subscribe: async (listener) => channel.subscribe(checks.checkListener(listener)),
    notify: async (notification: StorageNotification) => channel.notify(checks.checkNotification(notification)),
  };
}
