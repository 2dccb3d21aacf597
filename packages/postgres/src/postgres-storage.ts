import type {
  AddOptions,
  ClaimRequest,
  ExecutionLogEntry,
  InstanceRegistry,
  RateLimitStore,
  NotificationChannel,
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
  LogLevel,
  PausedQueue,
  QueueStateChange,
  TaskTransition,
  TaskGroup,
  TaskGroupRequest,
  TimelineBucket,
  TimelineRequest,
} from 'evertask';
import { DEFAULT_LOG_PAGE_SIZE, StorageChecks, StorageLifecycle, checkIntrospectLimit, checkRateLimitRequests, checkReservationId } from 'evertask/storage-kit';
import { PostgresConnection, type QueryContext } from './connection.js';
import { prepareSchema } from './migrator.js';
import { StorageNotifications, notificationChannel } from './notifications.js';
import {
  quoteIdent,
  resolvePostgresOptions,
  type PostgresStorageOptions,
  type ResolvedPostgresStorageOptions,
} from './postgres-storage-options.js';
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

const checks = new StorageChecks('PostgresStorage');

/**
 * PostgreSQL storage: several application instances on one database share the work.
 *
 * - Claims lease tasks with `FOR UPDATE SKIP LOCKED` in one statement; a crashed instance's
 *   tasks are claimed again when their lease expires.
 * - The hot writes (`add`, `transition`, `claimDue`, `renewLeases`) are one round trip each,
 *   batches included: arrays or a JSON array expanded server-side, with writable CTEs for the
 *   audit, run-audit and log rows.
 * - Wake-ups via LISTEN/NOTIFY on a dedicated connection that reconnects by itself.
 * - `add` can join the caller's transaction (`options.tx`, a `pg` client inside `BEGIN`).
 *
 * The class holds the lifecycle and delegates each operation to its group of statements in
 * `queries/`.
 *
 * @example
 * ```ts
 * const storage = new PostgresStorage({ connectionString: process.env.DATABASE_URL! });
 * const everTask = new EverTask({ storage, tasks: [sendWelcome] });
 * ```
 */
export class PostgresStorage implements TaskStorage {
  readonly capabilities: StorageCapabilities;
  /** The schema holding the tables. */
  readonly schema: string;

  readonly #options: ResolvedPostgresStorageOptions;
  readonly #connection: PostgresConnection;
  readonly #notifications: StorageNotifications;
  readonly #tasks: TaskQueries;
  readonly #transitions: TransitionQueries;
  readonly #claims: ClaimQueries;
  readonly #reads: ReadQueries;
  readonly #history: HistoryQueries;
  readonly #retention: RetentionQueries;
  readonly #statistics: StatisticsQueries;
  readonly #instances: InstanceQueries;
  readonly #rateLimits: RateLimitQueries;
  readonly #queueState: QueueStateQueries;
  readonly #lifecycle: StorageLifecycle;

  constructor(options: PostgresStorageOptions) {
    this.#options = resolvePostgresOptions(options);
    this.schema = this.#options.schema;
    this.#connection = new PostgresConnection(this.#options);
    const channel = notificationChannel(this.schema);
    this.#notifications = new StorageNotifications({
      connection: this.#connection,
      channel,
      enabled: this.#options.notifications,
      initialBackoffMs: this.#options.listenerInitialBackoffMs,
      maxBackoffMs: this.#options.listenerMaxBackoffMs,
    });
    const context: QueryContext = { connection: this.#connection, schema: this.schema, quotedSchema: quoteIdent(this.schema) };
    this.#tasks = new TaskQueries(context, {
      channel,
      notifications: this.#options.notifications,
      addChunkSize: this.#options.addChunkSize,
    });
    this.#transitions = new TransitionQueries(context);
    this.#claims = new ClaimQueries(context);
    this.#reads = new ReadQueries(context);
    this.#history = new HistoryQueries(context);
    this.#retention = new RetentionQueries(context);
    this.#statistics = new StatisticsQueries(context);
    this.#instances = new InstanceQueries(context);
    this.#rateLimits = new RateLimitQueries(context);
    this.#queueState = new QueueStateQueries(context);
    this.capabilities = Object.freeze({
      persistent: true,
      multiProcess: true,
      transactionalDispatch: true,
    });
    const listener = this.#notifications;
    this.notifications = this.#options.notifications
      ? {
          subscribe: async (callback) => listener.subscribe(checks.checkListener(callback)),
          notify: async (notification) => listener.notify(checks.checkNotification(notification)),
        }
      : undefined;
    const connection = this.#connection;
    this.#lifecycle = new StorageLifecycle({
      prepare: () => prepareSchema(connection.pool, this.schema, this.#options.migrate),
      reopen: () => connection.reopen(),
      end: async () => {
        await listener.stop();
        await connection.end();
      },
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

  async remove(id: string, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    checks.checkId(id, 'remove');
    if (ifStatus !== undefined) checks.checkStatuses(ifStatus, 'remove', 'ifStatus');
    return this.#tasks.remove(id, ifStatus);
  }

  async replace(previousId: string, ifStatus: readonly TaskStatus[], task: NewTask, options?: AddOptions): Promise<boolean> {
    checks.checkReplacement(previousId, ifStatus, task, 'replace');
    return this.#tasks.replace(previousId, ifStatus, task, options);
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

  /** The instance registry, in the schema (one row per engine). */
  readonly instances: InstanceRegistry = {
    heartbeat: async (instance) => this.#instances.heartbeatInstance(instance),
    remove: async (id) => this.#instances.removeInstance(id),
    list: async () => this.#instances.listInstances(),
  };

  /**
   * Rate-limit budgets in the schema, shared by every process on it: one round trip per batch of
   * acquisitions (the `rate_limit_acquire` function).
   */
  readonly rateLimits: RateLimitStore = {
    acquire: async (requests) => this.#rateLimits.acquire(checkRateLimitRequests(requests, 'PostgresStorage.rateLimits.acquire')),
    release: async (id) => this.#rateLimits.release(checkReservationId(id, 'PostgresStorage.rateLimits.release')),
    introspect: async (limit) => this.#rateLimits.introspect(checkIntrospectLimit(limit, 'PostgresStorage.rateLimits.introspect')),
  };

  /**
   * Wake-ups over LISTEN/NOTIFY between every process on this schema; absent when the
   * `notifications` option is false.
   */
  readonly notifications: NotificationChannel | undefined;

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

  /** Backend pid of the LISTEN connection, when subscribed (diagnostics and tests). */
  get listenerProcessId(): number | undefined {
    return this.#notifications.listenerProcessId;
  }
}
