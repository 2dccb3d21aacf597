import type {
  LogLevel,
  AddOptions,
  ClaimRequest,
  ExecutionLogEntry,
  InstanceRegistry,
  NewTask,
  NotificationChannel,
  PausedQueue,
  PendingCursor,
  QueueStateChange,
  RateLimitStore,
  RetentionPolicy,
  RetentionResult,
  RunAuditEntry,
  StatusAuditEntry,
  StatusCount,
  StorageCapabilities,
  StoredTask,
  TaskFilter,
  TaskGroup,
  TaskGroupRequest,
  TaskPage,
  TaskPatch,
  TaskQueryResult,
  TaskStatus,
  TaskStorage,
  TaskTransition,
  TimelineBucket,
  TimelineRequest,
} from 'evertask';
import { DEFAULT_LOG_PAGE_SIZE, StorageChecks, StorageLifecycle, checkIntrospectLimit, checkRateLimitRequests, checkReservationId } from 'evertask/storage-kit';
import { RedisConnection, type QueryContext } from './connection.js';
import { KeyNames } from './keys.js';
import { prepareLayout } from './migrator.js';
import { StorageNotifications } from './notifications.js';
import { ClaimQueries } from './queries/claims.js';
import { HistoryQueries } from './queries/history.js';
import { InstanceQueries } from './queries/instances.js';
import { QueueStateQueries } from './queries/queue-state.js';
import { RateLimitQueries } from './queries/rate-limits.js';
import { StatisticsQueries } from './queries/statistics.js';
import { ReadQueries } from './queries/reads.js';
import { RetentionQueries } from './queries/retention.js';
import { TaskQueries } from './queries/tasks.js';
import { TransitionQueries } from './queries/transitions.js';
import { resolveRedisOptions, type RedisStorageOptions, type ResolvedRedisStorageOptions } from './redis-storage-options.js';
import { toStorageError } from './redis-errors.js';
import { checkEvictionPolicy } from './server-checks.js';

const checks = new StorageChecks('RedisStorage');

/**
 * Redis storage: several application instances on one Redis share the work.
 *
 * - Every state change is one Lua script (atomic, one round trip): `add` and `transition` take a
 *   whole batch in one script, with the history rows and the index moves.
 * - Due tasks and leases are sorted sets per queue; a claim script takes the earliest due tasks
 *   and lapsed leases and leases them; a crashed instance's tasks are claimed again when their
 *   lease expires.
 * - Wake-ups by pub/sub (`{<prefix>}:notify`): `add` publishes from its script.
 * - Task keys are unique (a hash checked in the add script); the monitor's queries are served
 *   from status indexes the scripts maintain (no KEYS or SCAN).
 * - Every key is under the hash tag `{<prefix>}`, so a deployment lives in one Cluster slot.
 * - Rate limits: the `rateLimits` role, one script per batch of acquisitions, shared by every process.
 * - `open()` refuses a server whose `maxmemory-policy` may evict keys (`allkeys-*`).
 *
 * @example
 * ```ts
 * const storage = new RedisStorage({ url: 'redis://127.0.0.1:6379' });
 * const everTask = new EverTask({ storage, tasks: [sendWelcome] });
 * ```
 */
export class RedisStorage implements TaskStorage {
  readonly capabilities: StorageCapabilities;
  /** The key prefix (keys are `{<prefix>}:…`). */
  readonly prefix: string;

  readonly #options: ResolvedRedisStorageOptions;
  readonly #keys: KeyNames;
  readonly #connection: RedisConnection;
  readonly #notifications: StorageNotifications;
  readonly #tasks: TaskQueries;
  readonly #transitions: TransitionQueries;
  readonly #claims: ClaimQueries;
  readonly #reads: ReadQueries;
  readonly #history: HistoryQueries;
  readonly #retention: RetentionQueries;
  readonly #instances: InstanceQueries;
  readonly #statistics: StatisticsQueries;
  readonly #queueState: QueueStateQueries;
  readonly #rateLimits: RateLimitQueries;
  readonly #lifecycle: StorageLifecycle;

  constructor(options: RedisStorageOptions) {
    this.#options = resolveRedisOptions(options);
    this.prefix = this.#options.prefix;
    this.#keys = new KeyNames(this.prefix);
    this.#connection = new RedisConnection(this.#options, this.#keys);
    const context: QueryContext = { connection: this.#connection, keys: this.#keys };
    this.#tasks = new TaskQueries(context);
    this.#transitions = new TransitionQueries(context);
    this.#claims = new ClaimQueries(context);
    this.#reads = new ReadQueries(context);
    this.#history = new HistoryQueries(context);
    this.#retention = new RetentionQueries(context);
    this.#instances = new InstanceQueries(context);
    this.#statistics = new StatisticsQueries(context);
    this.#queueState = new QueueStateQueries(context);
    this.#rateLimits = new RateLimitQueries(context);
    this.#notifications = new StorageNotifications(this.#connection, this.#keys.notify, this.#options.notifications);
    if (this.#options.notifications) {
      this.notifications = {
        subscribe: async (listener) => this.#notifications.subscribe(listener),
        notify: async (notification) => this.#notifications.notify(checks.checkNotification(notification)),
      };
    }
    this.capabilities = Object.freeze({ persistent: true, multiProcess: true, transactionalDispatch: false });
    this.#lifecycle = new StorageLifecycle({
      prepare: () => this.#prepare(),
      reopen: () => undefined, // the connection makes a new client when its last one was closed
      end: async () => {
        await this.#notifications.stop();
        await this.#connection.close();
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

  /** Connects, loads the scripts, checks the eviction policy and the key layout version. */
  async #prepare(): Promise<void> {
    await this.#connection.open();
    const client = this.#connection.client;
    try {
      if (this.#options.checkEvictionPolicy) await checkEvictionPolicy(client, this.#options.onWarning);
      await prepareLayout(client, this.#keys);
    } catch (error) {
      throw toStorageError('open', error);
    }
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

  // ---- optional roles ------------------------------------------------------------------------

  /** Wake-ups on the pub/sub channel `{<prefix>}:notify` (absent with `notifications: false`). */
  readonly notifications?: NotificationChannel;

  /** The instance registry, in the hash `{<prefix>}:inst` (one record per engine). */
  readonly instances: InstanceRegistry = {
    heartbeat: async (instance) => this.#instances.heartbeatInstance(instance),
    remove: async (id) => this.#instances.removeInstance(id),
    list: async () => this.#instances.listInstances(),
  };

  /**
   * Keyed rate-limit budgets shared by every process on this Redis: each batch of acquisitions is
   * one Lua script (GCRA with reservations by task id, keys `{<prefix>}:rl:…`).
   */
  readonly rateLimits: RateLimitStore = {
    acquire: async (requests) => this.#rateLimits.acquire(checkRateLimitRequests(requests, 'RedisStorage.rateLimits.acquire')),
    release: async (id) => this.#rateLimits.release(checkReservationId(id, 'RedisStorage.rateLimits.release')),
    introspect: async (limit) => this.#rateLimits.introspect(checkIntrospectLimit(limit, 'RedisStorage.rateLimits.introspect')),
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

  // ---- queue state ---------------------------------------------------------------------------

  async setQueuePaused(queue: string, paused: boolean, change: QueueStateChange): Promise<boolean> {
    const { actor, at } = checks.checkQueueState(queue, paused, change);
    return this.#queueState.setQueuePaused(queue, paused, { actor, at });
  }

  async pausedQueues(): Promise<PausedQueue[]> {
    return this.#queueState.pausedQueues();
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
