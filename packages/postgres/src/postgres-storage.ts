import type {
  AddOptions,
  ClaimRequest,
  ExecutionLogEntry,
  InstanceRecord,
  NewTask,
  PendingCursor,
  RetentionPolicy,
  RetentionResult,
  RunAuditEntry,
  StatusAuditEntry,
  StatusCount,
  StorageCapabilities,
  StorageNotification,
  StoredTask,
  TaskFilter,
  TaskPage,
  TaskPatch,
  TaskQueryResult,
  TaskStatus,
  TaskStorage,
  TaskTransition,
} from 'evertask';
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
import { ReadQueries } from './queries/reads.js';
import { RetentionQueries } from './queries/retention.js';
import { TaskQueries } from './queries/tasks.js';
import { TransitionQueries } from './queries/transitions.js';

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
  readonly #instances: InstanceQueries;
  #opened = false;
  #opening: Promise<void> | undefined;
  #closed = false;

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
    this.#instances = new InstanceQueries(context);
    this.capabilities = Object.freeze({
      persistent: true,
      multiProcess: true,
      notifications: this.#options.notifications,
      transactionalDispatch: true,
    });
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  async open(): Promise<void> {
    if (this.#opened) return;
    if (this.#closed) this.#connection.reopen();
    this.#closed = false;
    this.#opening ??= prepareSchema(this.#connection.pool, this.schema, this.#options.migrate).finally(() => {
      this.#opening = undefined;
    });
    await this.#opening;
    this.#opened = true;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#opened = false;
    await this.#notifications.stop();
    await this.#connection.end();
  }

  // ---- tasks ---------------------------------------------------------------------------------

  add(tasks: readonly NewTask[], options: AddOptions = {}): Promise<void> {
    return this.#tasks.add(tasks, options);
  }

  get(id: string): Promise<StoredTask | undefined> {
    return this.#reads.get(id);
  }

  getByTaskKey(taskKey: string): Promise<StoredTask | undefined> {
    return this.#reads.getByTaskKey(taskKey);
  }

  update(id: string, patch: TaskPatch, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    return this.#tasks.update(id, patch, ifStatus);
  }

  remove(id: string): Promise<boolean> {
    return this.#tasks.remove(id);
  }

  transition(changes: readonly TaskTransition[]): Promise<boolean[]> {
    return this.#transitions.transition(changes);
  }

  // ---- work distribution ---------------------------------------------------------------------

  claimDue(request: ClaimRequest): Promise<StoredTask[]> {
    return this.#claims.claimDue(request);
  }

  renewLeases(owner: string, now: number, leaseMs: number, ids?: readonly string[]): Promise<number> {
    return this.#claims.renewLeases(owner, now, leaseMs, ids);
  }

  nextDueAt(queues?: readonly string[]): Promise<number | undefined> {
    return this.#claims.nextDueAt(queues);
  }

  // ---- instance registry ---------------------------------------------------------------------

  heartbeatInstance(instance: InstanceRecord): Promise<void> {
    return this.#instances.heartbeatInstance(instance);
  }

  removeInstance(id: string): Promise<void> {
    return this.#instances.removeInstance(id);
  }

  listInstances(): Promise<InstanceRecord[]> {
    return this.#instances.listInstances();
  }

  // ---- queries -------------------------------------------------------------------------------

  pending(after: PendingCursor | undefined, limit: number): Promise<StoredTask[]> {
    return this.#reads.pending(after, limit);
  }

  scheduled(until: number, limit: number): Promise<StoredTask[]> {
    return this.#reads.scheduled(until, limit);
  }

  query(filter: TaskFilter, page: TaskPage = {}): Promise<TaskQueryResult> {
    return this.#reads.query(filter, page);
  }

  count(filter: TaskFilter = {}): Promise<StatusCount[]> {
    return this.#reads.count(filter);
  }

  // ---- history -------------------------------------------------------------------------------

  getStatusAudit(taskId: string): Promise<StatusAuditEntry[]> {
    return this.#history.getStatusAudit(taskId);
  }

  getRunAudit(taskId: string): Promise<RunAuditEntry[]> {
    return this.#history.getRunAudit(taskId);
  }

  saveExecutionLogs(taskId: string, logs: readonly ExecutionLogEntry[]): Promise<void> {
    return this.#history.saveExecutionLogs(taskId, logs);
  }

  getExecutionLogs(taskId: string, skip = 0, take = 1000): Promise<ExecutionLogEntry[]> {
    return this.#history.getExecutionLogs(taskId, skip, take);
  }

  countExecutionLogs(taskId: string): Promise<number> {
    return this.#history.countExecutionLogs(taskId);
  }

  // ---- maintenance ---------------------------------------------------------------------------

  cleanup(policy: RetentionPolicy): Promise<RetentionResult> {
    return this.#retention.cleanup(policy);
  }

  // ---- notifications -------------------------------------------------------------------------

  subscribe(listener: (notification: StorageNotification) => void): Promise<() => Promise<void>> {
    return this.#notifications.subscribe(listener);
  }

  notify(notification: StorageNotification): Promise<void> {
    return this.#notifications.notify(notification);
  }

  /** Backend pid of the LISTEN connection, when subscribed (diagnostics and tests). */
  get listenerProcessId(): number | undefined {
    return this.#notifications.listenerProcessId;
  }
}
