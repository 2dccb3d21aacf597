import type {
  LogLevel,
  PausedQueue,
  QueueStateChange,
  AddOptions,
  ClaimRequest,
  ExecutionLogEntry,
  InstanceRegistry,
  RateLimitStore,
  NewTask,
  PendingCursor,
  RetentionPolicy,
  RetentionResult,
  RunAuditEntry,
  StatusAuditEntry,
  StatusCount,
  StorageCapabilities,
  StoredTask,
  TaskFilter,
  TaskPage,
  TaskPatch,
  TaskQueryResult,
  TaskStatus,
  TaskStorage,
  TaskTransition,
  TaskGroup,
  TaskGroupRequest,
  TimelineBucket,
  TimelineRequest,
} from 'evertask';
import { DEFAULT_LOG_PAGE_SIZE, StorageChecks, StorageLifecycle, checkIntrospectLimit, checkRateLimitRequests, checkReservationId } from 'evertask/storage-kit';
import { MySqlConnection, tableNames, type QueryContext } from './connection.js';
import { prepareTables } from './migrator.js';
import { resolveMySqlOptions, type MySqlStorageOptions, type ResolvedMySqlStorageOptions } from './mysql-storage-options.js';
import { ClaimQueries } from './queries/claims.js';
import { HistoryQueries } from './queries/history.js';
import { InstanceQueries } from './queries/instances.js';
import { RateLimitQueries } from './queries/rate-limits.js';
import { QueueStateQueries } from './queries/queue-state.js';
import { ReadQueries } from './queries/reads.js';
import { RetentionQueries } from './queries/retention.js';
import { StatisticsQueries } from './queries/statistics.js';
import { TaskQueries } from './queries/tasks.js';
import { TransitionQueries } from './queries/transitions.js';

const checks = new StorageChecks('MySqlStorage');

/**
 * MySQL 8 / MariaDB 10.6+ storage: several application instances on one database share the work.
 *
 * - Claims lease tasks with `FOR UPDATE SKIP LOCKED` in one READ COMMITTED transaction; a crashed
 *   instance's tasks are claimed again when their lease expires.
 * - Batched inserts and transition batches (with their audit, run-audit and log rows) are one
 *   round trip each.
 * - No notification channel: wake-ups come from the engine's local dispatch, its timers and its
 *   safety sweep (the `sweepInterval` option), which also picks up what other processes added.
 * - Deadlocks, lock wait timeouts and failed connects are retried with backoff.
 * - `add` can join the caller's transaction (`options.tx`, a mysql2/promise connection inside
 *   `START TRANSACTION`).
 *
 * The class holds the lifecycle and delegates each operation to its group of statements in
 * `queries/`.
 *
 * @example
 * ```ts
 * const storage = new MySqlStorage({ uri: 'mysql://app:secret@127.0.0.1:3306/app' });
 * const everTask = new EverTask({ storage, tasks: [sendWelcome] });
 * ```
 */
export class MySqlStorage implements TaskStorage {
  readonly capabilities: StorageCapabilities;
  /** The prefix of the tables (`evertask_` → `evertask_tasks`…). */
  readonly tablePrefix: string;

  readonly #options: ResolvedMySqlStorageOptions;
  readonly #connection: MySqlConnection;
  readonly #tasks: TaskQueries;
  readonly #transitions: TransitionQueries;
  readonly #claims: ClaimQueries;
  readonly #reads: ReadQueries;
  readonly #history: HistoryQueries;
  readonly #statistics: StatisticsQueries;
  readonly #retention: RetentionQueries;
  readonly #instances: InstanceQueries;
  readonly #rateLimits: RateLimitQueries;
  readonly #queueState: QueueStateQueries;
  readonly #lifecycle: StorageLifecycle;

  constructor(options: MySqlStorageOptions) {
    this.#options = resolveMySqlOptions(options);
    this.tablePrefix = this.#options.tablePrefix;
    this.#connection = new MySqlConnection(this.#options);
    const context: QueryContext = { connection: this.#connection, tables: tableNames(this.tablePrefix) };
    this.#tasks = new TaskQueries(context, this.#options.addChunkSize);
    this.#transitions = new TransitionQueries(context);
    this.#claims = new ClaimQueries(context);
    this.#reads = new ReadQueries(context);
    this.#history = new HistoryQueries(context);
    this.#statistics = new StatisticsQueries(context);
    this.#retention = new RetentionQueries(context);
    this.#instances = new InstanceQueries(context);
    this.#rateLimits = new RateLimitQueries(context);
    this.#queueState = new QueueStateQueries(context);
    this.capabilities = Object.freeze({ persistent: true, multiProcess: true, transactionalDispatch: true });
    const connection = this.#connection;
    this.#lifecycle = new StorageLifecycle({
      prepare: () => prepareTables(connection.pool, this.tablePrefix, this.#options.migrate),
      reopen: () => connection.reopen(),
      end: () => connection.end(),
    });
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  async open(): Promise<void> {
    return this.#lifecycle.open();
  }

  async close(): Promise<void> {
    return this.#lifecycle.close();
  }

  // ---- tasks ---------------------------------------------------------------------------------

  async add(tasks: readonly NewTask[], options: AddOptions = {}): Promise<void> {
    return this.#tasks.add(checks.checkNewTasks(tasks, 'add'), options);
  }

  async get(id: string): Promise<StoredTask | undefined> {
    return this.#reads.get(checks.checkId(id, 'get'));
  }

  async getByTaskKey(taskKey: string): Promise<StoredTask | undefined> {
    return this.#reads.getByTaskKey(checks.checkText(taskKey, 'getByTaskKey', 'taskKey'));
  }

  async update(id: string, patch: TaskPatch, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    checks.checkId(id, 'update');
    checks.checkPatch(patch, 'update');
    if (ifStatus !== undefined) checks.checkStatuses(ifStatus, 'update', 'ifStatus');
    return this.#tasks.update(id, patch, ifStatus);
  }

  async replace(previousId: string, ifStatus: readonly TaskStatus[], task: NewTask, options?: AddOptions): Promise<boolean> {
    checks.checkReplacement(previousId, ifStatus, task, 'replace');
    return this.#tasks.replace(previousId, ifStatus, task, options);
  }

  async remove(id: string, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    checks.checkId(id, 'remove');
    if (ifStatus !== undefined) checks.checkStatuses(ifStatus, 'remove', 'ifStatus');
    return this.#tasks.remove(id, ifStatus);
  }

  async transition(changes: readonly TaskTransition[]): Promise<boolean[]> {
    return this.#transitions.transition(checks.checkTransitions(changes, 'transition'));
  }

  // ---- work distribution ---------------------------------------------------------------------

  async claimDue(request: ClaimRequest): Promise<StoredTask[]> {
    return this.#claims.claimDue(checks.checkClaimRequest(request));
  }

  async renewLeases(owner: string, now: number, leaseMs: number, ids?: readonly string[]): Promise<number> {
    checks.checkRenewal(owner, now, leaseMs, ids);
    return this.#claims.renewLeases(owner, now, leaseMs, ids);
  }

  async nextDueAt(queues?: readonly string[], names?: readonly string[]): Promise<number | undefined> {
    return this.#claims.nextDueAt(checks.checkQueues(queues, 'nextDueAt'), checks.checkTaskNames(names, 'nextDueAt'));
  }

  // ---- queue state ---------------------------------------------------------------------------

  async setQueuePaused(queue: string, paused: boolean, change: QueueStateChange): Promise<boolean> {
    const { actor, at } = checks.checkQueueState(queue, paused, change);
    return this.#queueState.setQueuePaused(queue, paused, { actor, at });
  }

  async pausedQueues(): Promise<PausedQueue[]> {
    return this.#queueState.pausedQueues();
  }

  // ---- optional roles ------------------------------------------------------------------------

  /**
   * Rate-limit budgets in `<prefix>rate_limits`, shared by every process on these tables: one
   * transaction per batch of acquisitions.
   */
  readonly rateLimits: RateLimitStore = {
    acquire: async (requests) => this.#rateLimits.acquire(checkRateLimitRequests(requests, 'MySqlStorage.rateLimits.acquire')),
    release: async (id) => this.#rateLimits.release(checkReservationId(id, 'MySqlStorage.rateLimits.release')),
    introspect: async (limit) => this.#rateLimits.introspect(checkIntrospectLimit(limit, 'MySqlStorage.rateLimits.introspect')),
  };

  /** The instance registry, in `<prefix>instances` (one row per engine). */
  readonly instances: InstanceRegistry = {
    heartbeat: async (instance) => this.#instances.heartbeatInstance(instance),
    remove: async (id) => this.#instances.removeInstance(id),
    list: async () => this.#instances.listInstances(),
  };

  // ---- queries -------------------------------------------------------------------------------

  async pending(after: PendingCursor | undefined, limit: number): Promise<StoredTask[]> {
    return this.#reads.pending(checks.checkPendingCursor(after), checks.checkCount(limit, 'pending', 'limit'));
  }

  async query(filter: TaskFilter, page?: TaskPage): Promise<TaskQueryResult> {
    return this.#reads.query(checks.checkFilter(filter, 'query'), checks.checkPage(page));
  }

  async count(filter: TaskFilter = {}): Promise<StatusCount[]> {
    return this.#reads.count(checks.checkFilter(filter, 'count'));
  }

  // ---- history -------------------------------------------------------------------------------

  async getStatusAudit(taskId: string): Promise<StatusAuditEntry[]> {
    return this.#history.getStatusAudit(checks.checkId(taskId, 'getStatusAudit', 'taskId'));
  }

  async getRunAudit(taskId: string): Promise<RunAuditEntry[]> {
    return this.#history.getRunAudit(checks.checkId(taskId, 'getRunAudit', 'taskId'));
  }

  async saveExecutionLogs(taskId: string, logs: readonly ExecutionLogEntry[]): Promise<void> {
    return this.#history.saveExecutionLogs(checks.checkId(taskId, 'saveExecutionLogs', 'taskId'), checks.checkLogs(logs, 'saveExecutionLogs'));
  }

  async getExecutionLogs(taskId: string, skip = 0, take = DEFAULT_LOG_PAGE_SIZE, minLevel?: LogLevel): Promise<ExecutionLogEntry[]> {
    const levels = checks.checkLogRead(taskId, skip, take, minLevel);
    return this.#history.getExecutionLogs(taskId, skip, take, levels);
  }

  // ---- statistics ----------------------------------------------------------------------------

  async countExecutionLogs(taskId: string, minLevel?: LogLevel): Promise<number> {
    return this.#statistics.countExecutionLogs(taskId, checks.checkLogCount(taskId, minLevel));
  }

  async taskTimeline(request: TimelineRequest): Promise<TimelineBucket[]> {
    return this.#statistics.taskTimeline(checks.checkTimelineRequest(request));
  }

  async taskGroups(request: TaskGroupRequest): Promise<TaskGroup[]> {
    return this.#statistics.taskGroups(checks.checkGroupRequest(request));
  }

  // ---- maintenance ---------------------------------------------------------------------------

  async cleanup(policy: RetentionPolicy): Promise<RetentionResult> {
    return this.#retention.cleanup(checks.checkRetentionPolicy(policy));
  }
}
