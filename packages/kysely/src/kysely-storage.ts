import type {
  LogLevel,
  PausedQueue,
  QueueStateChange,
  AddOptions,
  ClaimRequest,
  ExecutionLogEntry,
  InstanceRegistry,
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
import { DEFAULT_LOG_PAGE_SIZE, StorageChecks, StorageLifecycle } from 'evertask/storage-kit';
import { KyselyConnection } from './connection.js';
import { tableNames, type AnyKysely } from './database.js';
import type { DialectName } from './dialects/dialect.js';
import { prepareTables } from './migrator.js';
import { resolveKyselyOptions, type KyselyStorageOptions, type ResolvedKyselyStorageOptions } from './kysely-storage-options.js';
import { ClaimQueries } from './queries/claims.js';
import type { QueryContext } from './queries/context.js';
import { HistoryQueries } from './queries/history.js';
import { InstanceQueries } from './queries/instances.js';
import { QueueStateQueries } from './queries/queue-state.js';
import { ReadQueries } from './queries/reads.js';
import { RetentionQueries } from './queries/retention.js';
import { StatisticsQueries } from './queries/statistics.js';
import { TaskQueries } from './queries/tasks.js';
import { TransitionQueries } from './queries/transitions.js';

const checks = new StorageChecks('KyselyStorage');

/**
 * EverTask's storage on the application's own Kysely instance: PostgreSQL, MySQL/MariaDB or
 * SQLite, whichever dialect the instance speaks (see `dialects/`).
 *
 * - Borrows the instance: it never creates, pools or destroys connections (`close()` leaves the
 *   instance to the application).
 * - Creates and upgrades its tables with Kysely's `Migrator`, in a migration table of its own
 *   (`migrationTableName`), under a table prefix.
 * - Claims lease tasks in one transaction: `FOR UPDATE SKIP LOCKED` on PostgreSQL and MySQL, a
 *   `BEGIN IMMEDIATE` transaction on SQLite; several processes share the work.
 * - `add` joins the application's transaction: `add(tasks, { tx })` with a Kysely `Transaction`.
 * - No notification channel: wake-ups come from the engine's local dispatch, its timers and its
 *   safety sweep (the engine's `sweepInterval` option), which also picks up other processes' tasks.
 *
 * The class holds the lifecycle and delegates each operation to its group of statements in
 * `queries/`.
 *
 * @example
 * ```ts
 * const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
 * const storage = new KyselyStorage({ db });
 * const everTask = new EverTask({ storage, tasks: [sendWelcome] });
 * await db.transaction().execute(async (trx) => {
 *   await trx.insertInto('users').values(user).execute();
 *   await everTask.dispatch(sendWelcome, { email: user.email }, { tx: trx });
 * });
 * ```
 */
export class KyselyStorage implements TaskStorage {
  readonly capabilities: StorageCapabilities;
  /** The prefix of the tables (`evertask_` → `evertask_tasks`…). */
  readonly tablePrefix: string;
  /** The table in which Kysely's Migrator records the storage's migrations. */
  readonly migrationTableName: string;

  readonly #options: ResolvedKyselyStorageOptions;
  readonly #connection: KyselyConnection;
  readonly #tasks: TaskQueries;
  readonly #transitions: TransitionQueries;
  readonly #claims: ClaimQueries;
  readonly #reads: ReadQueries;
  readonly #history: HistoryQueries;
  readonly #statistics: StatisticsQueries;
  readonly #retention: RetentionQueries;
  readonly #instances: InstanceQueries;
  readonly #queueState: QueueStateQueries;
  readonly #lifecycle: StorageLifecycle;

  constructor(options: KyselyStorageOptions) {
    this.#options = resolveKyselyOptions(options);
    this.tablePrefix = this.#options.tablePrefix;
    this.migrationTableName = this.#options.migrationTableName;
    this.#connection = new KyselyConnection(this.#options);
    const context: QueryContext = { connection: this.#connection, tables: tableNames(this.tablePrefix), chunkSize: this.#options.addChunkSize };
    this.#tasks = new TaskQueries(context);
    this.#transitions = new TransitionQueries(context);
    this.#claims = new ClaimQueries(context);
    this.#reads = new ReadQueries(context);
    this.#history = new HistoryQueries(context);
    this.#statistics = new StatisticsQueries(context);
    this.#retention = new RetentionQueries(context);
    this.#instances = new InstanceQueries(context);
    this.#queueState = new QueueStateQueries(context);
    this.capabilities = Object.freeze({ persistent: true, multiProcess: true, transactionalDispatch: true });
    this.#lifecycle = new StorageLifecycle({
      prepare: async () => {
        await this.#connection.resolve();
        const { db, dialect } = this.#connection;
        await prepareTables(db, dialect, this.#options, this.#options.migrate);
      },
      reopen: () => undefined,
      // the instance belongs to the application: nothing to end
      end: async () => undefined,
    });
  }

  /** The application's Kysely instance the storage runs on (after `open()` when built from a factory). */
  get db(): AnyKysely {
    return this.#connection.db;
  }

  /** The dialect the storage speaks on it (after `open()` when built from a factory). */
  get dialect(): DialectName {
    return this.#connection.dialect.name;
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
