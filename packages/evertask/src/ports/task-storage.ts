import type {
  AuditLevel,
  ExecutionLogEntry,
  LogLevel,
  RunAuditEntry,
  StatusAuditEntry,
  StoredTask,
  TaskPatch,
  TaskStatus,
} from './task-record.js';
import type { RateLimitStore } from './rate-limit-store.js';
import type { QueueStateStore } from './queue-state.js';
import type { TaskStatistics } from './task-statistics.js';

/**
 * Abilities of a storage that change how the engine uses it. The engine and the conformance suite
 * branch on these flags and on the optional roles (`notifications`, `instances`), never on the
 * adapter's class.
 */
export interface StorageCapabilities {
  /** Data outlives the process (a restart recovers tasks). */
  readonly persistent: boolean;
  /** Several processes may share the storage; claims are exclusive across them. */
  readonly multiProcess: boolean;
  /** `add` accepts a driver transaction (`AddOptions.tx`). */
  readonly transactionalDispatch: boolean;
}

/** A task to insert. */
export type NewTask = StoredTask;

export interface AddOptions {
  /**
   * Write a status-audit row (status = the task's status, no error) with each inserted task.
   * The engine sets this from the audit level.
   */
  audit?: boolean;
  /** A driver transaction/client to insert within (only when `capabilities.transactionalDispatch`). */
  tx?: unknown;
}

/**
 * One guarded status change. Applied atomically with its audit row, run-audit row and logs:
 * either all of it is written or none of it.
 */
export interface TaskTransition {
  id: string;
  /** Apply only when the stored status is one of these (the state-machine guard). */
  from: readonly TaskStatus[];
  /** Apply only when the stored lease belongs to this owner (omit to ignore the lease). */
  owner?: string;
  to: TaskStatus;
  /** Time of the change (becomes `updatedAt` and the audit row's time). */
  at: number;
  patch?: TaskPatch;
  /**
   * Write a status-audit row with this error text (null for none) and `actor` (who asked for the
   * change; omitted or null: the engine itself). Omit `audit` to write no row.
   */
  audit?: { error: string | null; actor?: string | null };
  /**
   * Status-audit rows of intermediate steps, written before the `audit` row when the change
   * applies. The engine sets this when it folds several changes of one task into one write (a
   * task that started and finished within one tick records `in-progress` here and `completed` as
   * `audit`).
   */
  priorAudits?: readonly { status: TaskStatus; at: number; error: string | null }[];
  /** Append one run-audit row (recurring runs). */
  runAudit?: Omit<RunAuditEntry, 'taskId'>;
  /** Append these execution logs. */
  logs?: readonly ExecutionLogEntry[];
}

export interface ClaimRequest {
  /** Instance that takes the lease. */
  owner: string;
  now: number;
  /** Maximum number of tasks to claim. */
  limit: number;
  /** Lease length in milliseconds. */
  leaseMs: number;
  /** Claim only from these queues (all when omitted). */
  queues?: readonly string[];
  /**
   * Claim only tasks with these names (all when omitted; an empty list claims nothing). The engine
   * passes the names of its registered task definitions, so that during a rolling deploy an
   * instance never takes a task it cannot run: such a task stays `waiting` (or, its lease lapsed,
   * `queued`) for an instance that knows it.
   */
  names?: readonly string[];
}

/** Filter for `query` and `count`. Every field is optional; fields combine with AND. */
export interface TaskFilter {
  ids?: readonly string[];
  statuses?: readonly TaskStatus[];
  /** Exact task name. */
  name?: string;
  /** Case-insensitive substring of the task name. */
  nameContains?: string;
  queue?: string;
  taskKey?: string;
  recurring?: boolean;
  createdAfter?: number;
  createdBefore?: number;
  /** Case-insensitive substring of the name or the task key. */
  search?: string;
  /** Only tasks with a `dueAt` before this time (exclusive; tasks without one never match). */
  dueBefore?: number;
}

export type TaskSortField = 'createdAt' | 'updatedAt' | 'dueAt' | 'lastExecutionAt' | 'status' | 'name' | 'queue';

export interface TaskPage {
  /** Rows to skip (default 0). */
  offset?: number;
  /** Rows to return (default 50). */
  limit?: number;
  /** Sort field (default `createdAt`), ties broken by id. */
  sortBy?: TaskSortField;
  /** Descending (default true). */
  descending?: boolean;
}

export interface TaskQueryResult {
  items: StoredTask[];
  total: number;
}

/** One cell of the counts grid. */
export interface StatusCount {
  queue: string;
  status: TaskStatus;
  count: number;
}

/** Keyset cursor for `pending`. */
export interface PendingCursor {
  createdAt: number;
  id: string;
}

export interface RetentionPolicy {
  /** Delete completed one-off tasks (and their history) last written before this time. */
  completedBefore?: number;
  /** Delete failed and cancelled one-off tasks last written before this time. */
  failedBefore?: number;
  /** Delete status and run audit rows older than this. */
  auditBefore?: number;
  /** Delete execution logs older than this. */
  logsBefore?: number;
}

/** What `cleanup` removed. A row is counted once, whether it went by age or with its task. */
export interface RetentionResult {
  tasks: number;
  /** Status-audit and run-audit rows, including those deleted together with their task. */
  audits: number;
  /** Execution-log entries, including those deleted together with their task. */
  logs: number;
}

/**
 * One engine in the storage's instance registry. Engines register when they start, refresh the
 * record with every heartbeat and remove it when they stop; a record whose `expiresAt` passed
 * belongs to an engine that stopped heartbeating (crashed, frozen or cut off), whose leases the
 * others take over as they expire.
 */
export interface InstanceRecord {
  /** The engine's `instanceId` (also the owner of its leases). */
  id: string;
  hostname: string;
  pid: number;
  /** When the engine started (epoch ms). */
  startedAt: number;
  /** The last heartbeat (epoch ms). */
  heartbeatAt: number;
  /** `heartbeatAt` + the lease length: past this, the instance is presumed dead. */
  expiresAt: number;
  /** The queues it runs, by name. */
  queues: string[];
  /** The task names it runs (its registered definitions): the only tasks it claims. */
  taskNames: string[];
}

/**
 * One task lifecycle change in the cross-process event feed (notification kind `task-events`):
 * the compact form of an engine's `task:*` event that other processes sharing the storage receive.
 */
export interface TaskEventEntry {
  /** The engine event it stands for (`task:started`, `task:completed`, …). */
  type: string;
  taskId: string;
  taskName: string;
  queue: string;
  /** The task's status after the change. */
  status: TaskStatus;
  /** Epoch ms. */
  at: number;
  /** The attempt, for events that have one. */
  attempt?: number;
  /** The error message (truncated), for failures and retries. */
  error?: string;
}

/** What a wake-up says. */
export interface StorageNotification {
  /**
   * `task-available` / `task-cancelled`: wake-ups. `task-events`: a batch of another engine's task
   * events (`events`, sent by `instanceId`). `task-events-watch`: engine `instanceId` has a
   * subscriber to remote events, so engines in `eventFeed: 'when-watched'` mode publish theirs.
   * `queue-state`: a queue was paused or resumed (engines re-read `pausedQueues()`).
   */
  kind: 'task-available' | 'task-cancelled' | 'task-events' | 'task-events-watch' | 'queue-state';
  /** The due time of the available task (epoch ms), when known. */
  dueAt?: number;
  taskId?: string;
  /** `task-events`, `task-events-watch`: the engine that sent it. */
  instanceId?: string;
  /** `task-events`: the entries. */
  events?: readonly TaskEventEntry[];
  /** `task-events`: entries the sender left out (too many in one flush, or too large). */
  omitted?: number;
  /** `task-events` received: malformed entries the storage dropped while reading the payload. */
  rejected?: number;
}

/** The task records: writes, reads by id or key, guarded status changes. */
export interface TaskStore {
  /** Inserts tasks, all or none, in as few round trips as possible. */
  add(tasks: readonly NewTask[], options?: AddOptions): Promise<void>;
  get(id: string): Promise<StoredTask | undefined>;
  getByTaskKey(taskKey: string): Promise<StoredTask | undefined>;
  /**
   * Changes definition fields without changing the status. Returns false (and changes nothing)
   * when the task is missing or its status is not in `ifStatus`.
   */
  update(id: string, patch: TaskPatch, ifStatus?: readonly TaskStatus[]): Promise<boolean>;
  /**
   * Deletes a task with its audit rows and logs, in one atomic step; with `ifStatus`, only when
   * its stored status is one of those (an empty list deletes nothing). Returns false when nothing
   * was deleted (the task did not exist, or its status is not in `ifStatus`).
   */
  remove(id: string, ifStatus?: readonly TaskStatus[]): Promise<boolean>;
  /**
   * Replaces task `previousId` by the new `task` in one atomic step (a finished keyed task
   * dispatched again): applies only when `previousId` is stored with a status in `ifStatus`; then
   * deletes that record, inserts `task` (which takes over its task key; a key held by any other
   * task throws `TaskKeyConflictError`) and moves the previous task's status audit, run audit and
   * execution logs under `task`, where they read before its own rows. Returns false, changing
   * nothing, when the guard fails (the task is gone or in another status). `task.id` must differ
   * from `previousId`. `options` as for `add` (`tx` only with `capabilities.transactionalDispatch`).
   */
  replace(previousId: string, ifStatus: readonly TaskStatus[], task: NewTask, options?: AddOptions): Promise<boolean>;
  /**
   * Applies guarded status changes. Each applies atomically with its audit row, run-audit row
   * and logs; a batch may share one transaction. The engine never puts two changes of the same
   * task in one batch, so the changes of a batch are independent. Returns, per change, whether it
   * applied.
   */
  transition(changes: readonly TaskTransition[]): Promise<boolean[]>;
}

/** Work distribution: claims and leases. */
export interface LeaseStore {
  /**
   * Atomically claims up to `limit` runnable tasks, earliest `dueAt` first: `waiting` or
   * `service-stopped` tasks with `dueAt <= now`, and `queued`/`in-progress` tasks whose lease
   * expired (`leaseExpiresAt <= now`). Claimed tasks become `queued` with the lease set to
   * `owner` until `now + leaseMs`; only of `queues` and of task `names` when given, and never of a
   * paused queue (`setQueuePaused`, checked in the same atomic step). Two concurrent claimers never
   * receive the same task.
   */
  claimDue(request: ClaimRequest): Promise<StoredTask[]>;
  /**
   * Extends to `now + leaseMs` the lease of the `queued`/`in-progress` tasks held by `owner`: of
   * those among `ids` when given (the engine passes the tasks it actually holds, so a lease it lost
   * track of — a claim whose answer never arrived — lapses and is claimed again), of all of them
   * otherwise. Returns how many.
   */
  renewLeases(owner: string, now: number, leaseMs: number, ids?: readonly string[]): Promise<number>;
  /**
   * The earliest `dueAt` among `waiting`/`service-stopped` tasks and among expiring leases
   * (`leaseExpiresAt` of `queued`/`in-progress` tasks), or undefined when nothing is pending.
   * Restricted, like `claimDue`, to `queues` and to task `names` when given, and leaving out paused
   * queues. Tells the scheduler
   * when to wake up.
   */
  nextDueAt(queues?: readonly string[], names?: readonly string[]): Promise<number | undefined>;
}

/** Reads of many tasks. (`scheduledTasks` from `evertask` derives the due list from `query`.) */
export interface TaskReads {
  /** Non-terminal tasks (`waiting`, `queued`, `in-progress`, `service-stopped`) by (createdAt, id), keyset-paged. */
  pending(after: PendingCursor | undefined, limit: number): Promise<StoredTask[]>;
  /** Filtered, sorted, paged tasks with the total number that match. */
  query(filter: TaskFilter, page?: TaskPage): Promise<TaskQueryResult>;
  /** Counts by queue and status of the tasks that match the filter (zero cells omitted). */
  count(filter?: TaskFilter): Promise<StatusCount[]>;
}

/** A task's history. (Its log count is `TaskStatistics.countExecutionLogs`.) */
export interface HistoryStore {
  /** Status history, oldest first. */
  getStatusAudit(taskId: string): Promise<StatusAuditEntry[]>;
  /** Run history of a recurring task, oldest first. */
  getRunAudit(taskId: string): Promise<RunAuditEntry[]>;
  /** Appends execution logs outside a transition. */
  saveExecutionLogs(taskId: string, logs: readonly ExecutionLogEntry[]): Promise<void>;
  /**
   * Execution logs ordered by (at, sequence, id), paged (skip default 0, take default 1000). With
   * `minLevel`, only the logs of that level and above (`LOG_LEVELS` order), the page counted among
   * those: `skip` and `take` apply after the filter.
   */
  getExecutionLogs(taskId: string, skip?: number, take?: number, minLevel?: LogLevel): Promise<ExecutionLogEntry[]>;
}

/** Retention. */
export interface RetentionStore {
  /** Deletes old finished one-off tasks, audit rows and logs. Never touches recurring series or non-terminal tasks. */
  cleanup(policy: RetentionPolicy): Promise<RetentionResult>;
}

/** Wake-ups between the engines sharing a storage (an optional role). */
export interface NotificationChannel {
  /** Delivers wake-ups (from other processes, when `multiProcess`). Returns an unsubscribe function. */
  subscribe(listener: (notification: StorageNotification) => void): Promise<() => Promise<void>>;
  /** Tells the other engines about a task. */
  notify(notification: StorageNotification): Promise<void>;
}

/**
 * The engines registered in a storage (an optional role: without it an engine still runs and
 * sees only itself).
 */
export interface InstanceRegistry {
  /**
   * Registers or refreshes an instance (an upsert by `id`), and may forget instances whose
   * `expiresAt` passed more than an hour before this heartbeat.
   */
  heartbeat(instance: InstanceRecord): Promise<void>;
  /** Removes an instance record (a clean stop). Removing an unknown id is not an error. */
  remove(id: string): Promise<void>;
  /** Every registered instance, live or expired, ordered by `startedAt`, then `id`. */
  list(): Promise<InstanceRecord[]>;
}

/**
 * The storage contract: the roles every adapter implements, and the optional ones as
 * properties. `describeStorageConformance` from `evertask/testing` proves an implementation.
 *
 * Errors: operations throw on failure (adapters wrap driver errors in `StorageError` with the
 * cause); `add` throws `TaskKeyConflictError` when a task key is taken; a bad argument is an
 * `InvalidArgumentError` (see `evertask/storage-kit`).
 */
export interface TaskStorage extends TaskStore, LeaseStore, TaskReads, HistoryStore, TaskStatistics, RetentionStore, QueueStateStore {
  readonly capabilities: StorageCapabilities;

  /** Opens connections and applies migrations (idempotent). Called by `EverTask.start()`. */
  open(): Promise<void>;
  /** Releases what the storage opened itself (never a client it was handed). Idempotent. */
  close(): Promise<void>;

  /** Wake-ups between engines, when the storage has them. */
  readonly notifications?: NotificationChannel;
  /** The instance registry, when the storage has one. */
  readonly instances?: InstanceRegistry;
  /**
   * Rate-limit budgets shared by every process on the storage, when it has them; without, each
   * engine keeps its budgets in memory (`LocalRateLimits`).
   */
  readonly rateLimits?: RateLimitStore;
}

export type { AuditLevel };
export type { PausedQueue, QueueStateChange, QueueStateStore } from './queue-state.js';
