import { createHash } from 'node:crypto';
import pg from 'pg';
import type { ClientConfig, Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import {
  EverTaskError,
  InvalidArgumentError,
  StorageError,
  TASK_STATUSES,
  INSTANCE_RECORD_RETENTION_MS,
  checkInstanceId,
  checkInstanceRecord,
  type AddOptions,
  type ClaimRequest,
  type ExecutionLogEntry,
  type InstanceRecord,
  type NewTask,
  type PendingCursor,
  type RetentionPolicy,
  type RetentionResult,
  type RunAuditEntry,
  type StatusAuditEntry,
  type StatusCount,
  type StorageCapabilities,
  type StorageNotification,
  type StoredTask,
  type TaskFilter,
  type TaskPage,
  type TaskPatch,
  type TaskQueryResult,
  type TaskSortField,
  type TaskStatus,
  type TaskStorage,
  type TaskTransition,
} from 'evertask';
import { formatNotificationPayload, NotificationListener } from './listener.js';
import {
  LATEST_MIGRATION_VERSION,
  MIGRATIONS,
  bootstrapSql,
  migrationLockKey,
  quoteIdent,
  renderMigration,
  validateSchemaName,
} from './migrations.js';
import { sqlState, toStorageError, toTaskKeyConflict } from './postgres-errors.js';
import {
  POSTGRES_DEFAULTS,
  type PostgresStorageOptions,
  type ResolvedPostgresStorageOptions,
} from './postgres-storage-options.js';
import {
  PATCH_FIELDS,
  TASK_COLUMNS,
  checkLog,
  checkNewTask,
  checkPatch,
  checkValue,
  isUuid,
  rowToLog,
  rowToRunAudit,
  rowToStatusAudit,
  rowToInstance,
  rowToTask,
  type TaskRow,
} from './row-mapping.js';
import { addSql, buildSql, taskSelectList, type AddColumnMode, type StorageSql } from './sql.js';

/** Anything that runs a query: a pool, a pooled client, or the user's transaction client. */
interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(config: QueryConfig): Promise<QueryResult<R>>;
}

/**
 * Sort expressions. Text sorts by code point (`COLLATE "C"`), the same order on every database
 * and in every adapter; nullable times sort their nulls last in both directions.
 */
const SORT_COLUMNS: Record<TaskSortField, { expr: string; nullable: boolean }> = {
  createdAt: { expr: 'created_at', nullable: false },
  updatedAt: { expr: 'updated_at', nullable: false },
  dueAt: { expr: 'due_at', nullable: true },
  lastExecutionAt: { expr: 'last_execution_at', nullable: true },
  status: { expr: 'status COLLATE "C"', nullable: false },
  name: { expr: 'name COLLATE "C"', nullable: false },
  queue: { expr: 'queue COLLATE "C"', nullable: false },
};

function isQueryable(value: unknown): value is Queryable {
  return typeof value === 'object' && value !== null && typeof (value as Queryable).query === 'function';
}

function checkInteger(value: unknown, what: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidArgumentError(`${what} must be an integer >= ${min}; received ${String(value)}.`);
  }
  return value;
}

function checkStatuses(value: unknown, what: string): readonly TaskStatus[] {
  if (!Array.isArray(value) || !value.every((s) => TASK_STATUSES.includes(s as TaskStatus))) {
    throw new InvalidArgumentError(`${what} must be an array of statuses (${TASK_STATUSES.join(', ')}).`);
  }
  return value as TaskStatus[];
}

function checkQueues(value: unknown, what: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((q) => typeof q === 'string')) {
    throw new InvalidArgumentError(`${what} must be an array of queue names.`);
  }
  return value as string[];
}

/** LISTEN channel of a schema: at most 63 bytes, distinct per schema. */
export function notificationChannel(schema: string): string {
  const name = `evertask_${schema}`;
  if (name.length <= 63) return name;
  const hash = createHash('sha1').update(schema).digest('hex').slice(0, 12);
  return `${name.slice(0, 50)}_${hash}`;
}

function resolveOptions(options: PostgresStorageOptions): ResolvedPostgresStorageOptions {
  // a string pg cannot parse as a URL would be read as a host named "base" (ENOTFOUND base, a transient-looking error)
  const url = options.connectionString;
  if (typeof url === 'string' && !url.startsWith('/')) {
    let protocol: string | undefined;
    try {
      protocol = new URL(url).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol !== 'postgres:' && protocol !== 'postgresql:' && protocol !== 'socket:') {
      throw new InvalidArgumentError(
        `PostgresStorage option "connectionString" is not a PostgreSQL URL (${protocol === undefined ? 'it does not parse as a URL' : `its scheme is "${protocol}"`}); ` +
          'use postgres://user:password@host:5432/database, with special characters in the password percent-encoded (# as %23, @ as %40).',
      );
    }
  }
  const schema = validateSchemaName(options.schema ?? POSTGRES_DEFAULTS.schema);
  const bool = (key: 'migrate' | 'notifications' | 'preparedStatements'): boolean => {
    const value = options[key] ?? POSTGRES_DEFAULTS[key];
    if (typeof value !== 'boolean') {
      throw new InvalidArgumentError(`PostgresStorage option "${key}" must be true or false; received ${String(value)}.`);
    }
    return value;
  };
  const int = (key: 'addChunkSize' | 'listenerInitialBackoffMs' | 'listenerMaxBackoffMs' | 'max', min: number): number =>
    checkInteger(options[key] ?? POSTGRES_DEFAULTS[key], `PostgresStorage option "${key}"`, min);
  return {
    schema,
    migrate: bool('migrate'),
    notifications: bool('notifications'),
    preparedStatements: bool('preparedStatements'),
    addChunkSize: int('addChunkSize', 1),
    listenerInitialBackoffMs: int('listenerInitialBackoffMs', 1),
    listenerMaxBackoffMs: int('listenerMaxBackoffMs', 1),
    max: int('max', 1),
  };
}

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
  readonly #connectionString: string | undefined;
  readonly #ownsPool: boolean;
  #pool: Pool;
  readonly #sql: StorageSql;
  /** `add` statements by chunk shape (see `#addStatement`). */
  readonly #addStatements = new Map<string, { name: string; text: string }>();
  readonly #s: string;
  readonly #channel: string;
  readonly #statementPrefix: string;
  readonly #listeners = new Set<(notification: StorageNotification) => void>();
  #listener: NotificationListener | undefined;
  #opened = false;
  #opening: Promise<void> | undefined;
  #closed = false;

  constructor(options: PostgresStorageOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError(
        'PostgresStorage needs an options object: { connectionString } or { pool }, optionally with { schema }.',
      );
    }
    const hasUrl = options.connectionString !== undefined;
    const hasPool = options.pool !== undefined;
    if (hasUrl === hasPool) {
      throw new InvalidArgumentError(
        'PostgresStorage needs exactly one of "connectionString" (the storage creates and closes a pool) ' +
          'or "pool" (an existing pg.Pool the storage never closes).',
      );
    }
    if (hasUrl && (typeof options.connectionString !== 'string' || options.connectionString === '')) {
      throw new InvalidArgumentError(
        `PostgresStorage option "connectionString" must be a non-empty string such as "postgres://user@host:5432/db"; received ${String(options.connectionString)}.`,
      );
    }
    if (hasPool && !isQueryable(options.pool)) {
      throw new InvalidArgumentError('PostgresStorage option "pool" must be a pg.Pool (something with query() and connect()).');
    }
    if (hasPool && options.max !== undefined) {
      throw new InvalidArgumentError('PostgresStorage option "max" only applies with "connectionString"; size your own pool instead.');
    }
    this.#options = resolveOptions(options);
    this.schema = this.#options.schema;
    this.#s = quoteIdent(this.schema);
    this.#sql = buildSql(this.#s);
    this.#channel = notificationChannel(this.schema);
    this.#statementPrefix = `evertask_${createHash('sha1').update(this.schema).digest('hex').slice(0, 10)}_`;
    this.#connectionString = options.connectionString;
    this.#ownsPool = !hasPool;
    this.#pool = hasPool ? (options.pool as Pool) : this.#createPool();
    this.capabilities = Object.freeze({
      persistent: true,
      multiProcess: true,
      notifications: this.#options.notifications,
      transactionalDispatch: true,
    });
  }

  #createPool(): Pool {
    const pool = new pg.Pool({ connectionString: this.#connectionString, max: this.#options.max, keepAlive: true });
    // An idle client whose connection drops emits 'error' on the pool; unhandled, it would crash
    // the process. The next query on a fresh client surfaces the problem as a StorageError.
    pool.on('error', () => undefined);
    return pool;
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  async open(): Promise<void> {
    if (this.#opened) return;
    if (this.#closed && this.#ownsPool) {
      this.#pool = this.#createPool();
    }
    this.#closed = false;
    this.#opening ??= this.#doOpen().finally(() => {
      this.#opening = undefined;
    });
    await this.#opening;
    this.#opened = true;
  }

  async #doOpen(): Promise<void> {
    try {
      const version = await this.#schemaVersion(this.#pool);
      if (version >= LATEST_MIGRATION_VERSION) return;
      if (!this.#options.migrate) {
        throw new StorageError(
          `PostgresStorage: schema "${this.schema}" is at migration version ${version}, but this version of ` +
            `@evertask/postgres needs version ${LATEST_MIGRATION_VERSION}. Apply the migrations (postgresMigrationSql("${this.schema}", ${version}), ` +
            `or "evertask migrate"), or construct the storage with migrate: true.`,
        );
      }
      await this.#migrate();
    } catch (error) {
      throw error instanceof EverTaskError ? error : toStorageError('open', error);
    }
  }

  /** The applied migration version of the schema (0 when it has none). */
  async #schemaVersion(db: Queryable): Promise<number> {
    const res = await db.query<{ v: number | null }>({
      text: `SELECT CASE WHEN to_regclass($1) IS NULL THEN 0 END AS v`,
      values: [`${this.#s}.migrations`],
    });
    if (res.rows[0]?.v === 0) return 0;
    const max = await db.query<{ v: number | null }>({ text: `SELECT max(version) AS v FROM ${this.#s}.migrations` });
    return max.rows[0]?.v ?? 0;
  }

  async #migrate(): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      await client.query({ text: 'SELECT pg_advisory_xact_lock($1::int8)', values: [migrationLockKey(this.schema)] });
      await client.query(bootstrapSql(this.schema));
      const applied = await client.query<{ version: number }>(`SELECT version FROM ${this.#s}.migrations`);
      const done = new Set(applied.rows.map((r) => r.version));
      for (const migration of MIGRATIONS) {
        if (done.has(migration.version)) continue;
        await client.query(renderMigration(migration, this.schema));
        await client.query({
          text: `INSERT INTO ${this.#s}.migrations (version, name) VALUES ($1, $2)`,
          values: [migration.version, migration.name],
        });
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#opened = false;
    this.#listeners.clear();
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.stop();
    if (this.#ownsPool) await this.#pool.end().catch(() => undefined);
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** A query config, named (prepared per connection) when prepared statements are on. */
  #q(name: string, text: string, values: unknown[]): QueryConfig {
    return this.#options.preparedStatements ? { name: this.#statementPrefix + name, text, values } : { text, values };
  }

  async #run<R extends QueryResultRow>(operation: string, config: QueryConfig, db: Queryable = this.#pool): Promise<QueryResult<R>> {
    try {
      return await db.query<R>(config);
    } catch (error) {
      throw toStorageError(operation, error);
    }
  }

  /** Runs `fn` on one pooled client inside BEGIN/COMMIT (ROLLBACK on error). */
  async #transaction<T>(operation: string, fn: (client: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw toStorageError(operation, error);
    }
    let broken: unknown;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError;
      }
      throw error instanceof EverTaskError ? error : toStorageError(operation, error);
    } finally {
      // A client whose ROLLBACK failed is not reusable: destroy it instead of returning it.
      client.release(broken instanceof Error ? broken : broken === undefined ? undefined : true);
    }
  }

  // ---- tasks ---------------------------------------------------------------------------------

  async add(tasks: readonly NewTask[], options: AddOptions = {}): Promise<void> {
    if (!Array.isArray(tasks)) throw new InvalidArgumentError('add: "tasks" must be an array of tasks.');
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('add: "options" must be an object.');
    tasks.forEach((task, index) => checkNewTask(task, index));
    if (tasks.length === 0) return;
    const tx = options.tx;
    if (tx !== undefined && !isQueryable(tx)) {
      throw new InvalidArgumentError(
        'add: options.tx must be a pg client (from pool.connect() or new pg.Client()) inside a transaction you began.',
      );
    }
    const audit = options.audit === true;
    const chunk = this.#options.addChunkSize;
    const keys = tasks.flatMap((t) => (t.taskKey === null ? [] : [t.taskKey]));
    const insert = async (db: Queryable): Promise<void> => {
      for (let start = 0; start < tasks.length; start += chunk) {
        const slice = tasks.slice(start, start + chunk);
        const { name, text, values } = this.#addStatement(slice, audit);
        try {
          await db.query(this.#q(name, text, values));
        } catch (error) {
          const state = sqlState(error);
          if (state === '22021' || state === '22P05') {
            // text PostgreSQL cannot store: a NUL character
            throw new InvalidArgumentError(
              'add: a text field of the tasks (payload, name, task key, queue, error…) holds a NUL character, which PostgreSQL text cannot store.',
              { cause: error },
            );
          }
          throw toTaskKeyConflict(error, keys) ?? toStorageError('add', error);
        }
      }
    };
    if (tx !== undefined) return insert(tx);
    if (tasks.length <= chunk) return insert(this.#pool);
    return this.#transaction('add', insert);
  }

  /**
   * The insert of one chunk: each column sent as an array, one shared value or a NULL constant
   * (see `addSql`), the statement text cached per shape, and the wake-up worked out here from
   * the rows (the earliest due time of the runnable ones, and the id when there is one).
   */
  #addStatement(slice: readonly StoredTask[], audit: boolean): { name: string; text: string; values: unknown[] } {
    const modes: AddColumnMode[] = [];
    const values: unknown[] = [this.#channel, this.#options.notifications ? wakeUpPayload(slice) : null];
    const first = slice[0] as StoredTask;
    for (let col = 0; col < TASK_COLUMNS.length; col++) {
      const head = taskValue(first, col);
      // the id column always goes as an array when there are several rows: it carries the row count
      let same = col !== ID_COLUMN || slice.length === 1;
      for (let row = 1; row < slice.length && same; row++) same = taskValue(slice[row] as StoredTask, col) === head;
      if (same) {
        modes.push(head === null ? 'null' : 'same');
        if (head !== null) values.push(head);
        continue;
      }
      modes.push('array');
      const column = new Array<unknown>(slice.length);
      for (let row = 0; row < slice.length; row++) column[row] = taskValue(slice[row] as StoredTask, col);
      values.push(arrayLiteral(column));
    }
    const key = `${audit ? 'a' : 'n'}${modes.map((m) => m[0]).join('')}`;
    let cached = this.#addStatements.get(key);
    if (cached === undefined) {
      if (this.#addStatements.size >= ADD_SHAPE_CACHE_LIMIT) this.#addStatements.clear();
      cached = { name: `add_${key}`, text: addSql(this.#s, modes, audit) };
      this.#addStatements.set(key, cached);
    }
    return { ...cached, values };
  }

  async get(id: string): Promise<StoredTask | undefined> {
    if (!isUuid(id)) return undefined;
    const res = await this.#run<TaskRow>('get', this.#q('get', this.#sql.get, [id]));
    const row = res.rows[0];
    return row === undefined ? undefined : rowToTask(row);
  }

  async getByTaskKey(taskKey: string): Promise<StoredTask | undefined> {
    if (typeof taskKey !== 'string') throw new InvalidArgumentError('getByTaskKey: "taskKey" must be a string.');
    const res = await this.#run<TaskRow>('getByTaskKey', this.#q('get_by_key', this.#sql.getByKey, [taskKey]));
    const row = res.rows[0];
    return row === undefined ? undefined : rowToTask(row);
  }

  async update(id: string, patch: TaskPatch, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    const keys = checkPatch(patch, 'update: patch');
    if (ifStatus !== undefined) checkStatuses(ifStatus, 'update: ifStatus');
    if (!isUuid(id)) return false;
    const values: unknown[] = [id];
    const where = [`id = $1::uuid`];
    if (ifStatus !== undefined) {
      values.push(ifStatus);
      where.push(`status = ANY ($2::text[])`);
    }
    if (keys.length === 0) {
      const res = await this.#run('update', { text: `SELECT 1 FROM ${this.#s}.tasks WHERE ${where.join(' AND ')}`, values });
      return res.rowCount !== null && res.rowCount > 0;
    }
    const sets = keys.map((key) => {
      values.push((patch as Record<string, unknown>)[key]);
      return `${PATCH_FIELDS[key].column} = $${values.length}`;
    });
    const res = await this.#run('update', {
      text: `UPDATE ${this.#s}.tasks SET ${sets.join(', ')} WHERE ${where.join(' AND ')}`,
      values,
    });
    return (res.rowCount ?? 0) > 0;
  }

  async remove(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const res = await this.#run('remove', this.#q('remove', this.#sql.remove, [id]));
    return (res.rowCount ?? 0) > 0;
  }

  async transition(changes: readonly TaskTransition[]): Promise<boolean[]> {
    if (!Array.isArray(changes)) throw new InvalidArgumentError('transition: "changes" must be an array.');
    const rows = changes.map((change, index) => transitionRow(change, index));
    const applied = new Array<boolean>(changes.length).fill(false);
    if (rows.length === 0) return applied;
    // Rows with ids that are not UUIDs cannot exist: they never apply.
    const valid = rows.filter((row) => isUuid(row.id));
    if (valid.length === 0) return applied;
    // Split into rounds in which every id appears once (an UPDATE touches a row once per
    // statement); changes of one id keep their order. Usually there is a single round.
    const rounds: TransitionRow[][] = [];
    const seen = new Map<string, number>();
    for (const row of valid) {
      const id = row.id.toLowerCase();
      const round = seen.get(id) ?? 0;
      seen.set(id, round + 1);
      (rounds[round] ??= []).push(row);
    }
    const runRound = async (db: Queryable, round: TransitionRow[]): Promise<void> => {
      const res = await db.query<{ i: number }>(this.#q('transition', this.#sql.transition, [transitionJson(round)]));
      for (const r of res.rows) applied[r.i] = true;
    };
    if (rounds.length === 1) {
      try {
        await runRound(this.#pool, rounds[0] as TransitionRow[]);
      } catch (error) {
        throw toStorageError('transition', error);
      }
      return applied;
    }
    await this.#transaction('transition', async (client) => {
      for (const round of rounds) await runRound(client, round);
    });
    return applied;
  }

  // ---- work distribution ---------------------------------------------------------------------

  async claimDue(request: ClaimRequest): Promise<StoredTask[]> {
    if (typeof request !== 'object' || request === null) throw new InvalidArgumentError('claimDue: "request" must be an object.');
    const { owner, now, limit, leaseMs } = request;
    if (typeof owner !== 'string' || owner === '') throw new InvalidArgumentError('claimDue: "owner" must be a non-empty string.');
    checkValue('time', now, 'claimDue: "now"');
    checkInteger(limit, 'claimDue: "limit"', 0);
    checkInteger(leaseMs, 'claimDue: "leaseMs"', 1);
    const queues = checkQueues(request.queues, 'claimDue: "queues"');
    if (limit === 0 || (queues !== undefined && queues.length === 0)) return [];
    const config =
      queues === undefined
        ? this.#q('claim', this.#sql.claim, [owner, now, limit, leaseMs])
        : this.#q('claim_queues', this.#sql.claimQueues, [owner, now, limit, leaseMs, queues]);
    const res = await this.#run<TaskRow & { claim_key: string }>('claimDue', config);
    const claimed = res.rows.map((row) => ({ key: Number(row.claim_key), task: rowToTask(row) }));
    claimed.sort((a, b) => a.key - b.key || (a.task.id < b.task.id ? -1 : a.task.id > b.task.id ? 1 : 0));
    return claimed.map((c) => c.task);
  }

  async renewLeases(owner: string, now: number, leaseMs: number, ids?: readonly string[]): Promise<number> {
    if (typeof owner !== 'string' || owner === '') throw new InvalidArgumentError('renewLeases: "owner" must be a non-empty string.');
    checkValue('time', now, 'renewLeases: "now"');
    checkInteger(leaseMs, 'renewLeases: "leaseMs"', 1);
    if (ids === undefined) {
      const res = await this.#run('renewLeases', this.#q('renew', this.#sql.renew, [owner, now, leaseMs]));
      return res.rowCount ?? 0;
    }
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
      throw new InvalidArgumentError('renewLeases: "ids" must be an array of task ids.');
    }
    // an id that is no UUID names no stored task: nothing to renew
    const uuids = ids.filter((id) => isUuid(id));
    if (uuids.length === 0) return 0;
    const res = await this.#run('renewLeases', this.#q('renew_ids', this.#sql.renewIds, [owner, now, leaseMs, uuids]));
    return res.rowCount ?? 0;
  }

  // ---- instance registry -----------------------------------------------------------------------

  async heartbeatInstance(instance: InstanceRecord): Promise<void> {
    const r = checkInstanceRecord(instance, 'heartbeatInstance');
    const values = [r.id, r.hostname, r.pid, r.startedAt, r.heartbeatAt, r.expiresAt, r.queues, r.heartbeatAt - INSTANCE_RECORD_RETENTION_MS];
    await this.#run('heartbeatInstance', this.#q('heartbeat_instance', this.#sql.heartbeatInstance, values));
  }

  async removeInstance(id: string): Promise<void> {
    checkInstanceId(id, 'removeInstance');
    await this.#run('removeInstance', this.#q('remove_instance', this.#sql.removeInstance, [id]));
  }

  async listInstances(): Promise<InstanceRecord[]> {
    const res = await this.#run('listInstances', this.#q('list_instances', this.#sql.listInstances, []));
    return res.rows.map((row) => rowToInstance(row));
  }

  async nextDueAt(queues?: readonly string[]): Promise<number | undefined> {
    const list = checkQueues(queues, 'nextDueAt: "queues"');
    if (list !== undefined && list.length === 0) return undefined;
    const config =
      list === undefined
        ? this.#q('next_due', this.#sql.nextDue, [])
        : this.#q('next_due_queues', this.#sql.nextDueQueues, [list]);
    const res = await this.#run<{ next: string | null }>('nextDueAt', config);
    const next = res.rows[0]?.next;
    return next === null || next === undefined ? undefined : Number(next);
  }

  // ---- queries -------------------------------------------------------------------------------

  async pending(after: PendingCursor | undefined, limit: number): Promise<StoredTask[]> {
    checkInteger(limit, 'pending: "limit"', 0);
    if (limit === 0) return [];
    let config: QueryConfig;
    if (after === undefined) {
      config = this.#q('pending', this.#sql.pending, [limit]);
    } else {
      checkValue('time', after.createdAt, 'pending: "after.createdAt"');
      if (typeof after.id !== 'string') throw new InvalidArgumentError('pending: "after.id" must be a string.');
      // A non-UUID cursor id sorts like its text; clamp it to the UUID range.
      const id = isUuid(after.id) ? after.id : after.id < '0' ? '00000000-0000-0000-0000-000000000000' : 'ffffffff-ffff-ffff-ffff-ffffffffffff';
      config = this.#q('pending_after', this.#sql.pendingAfter, [limit, after.createdAt, id]);
    }
    const res = await this.#run<TaskRow>('pending', config);
    return res.rows.map(rowToTask);
  }

  async scheduled(until: number, limit: number): Promise<StoredTask[]> {
    checkValue('time', until, 'scheduled: "until"');
    checkInteger(limit, 'scheduled: "limit"', 0);
    if (limit === 0) return [];
    const res = await this.#run<TaskRow>('scheduled', this.#q('scheduled', this.#sql.scheduled, [until, limit]));
    return res.rows.map(rowToTask);
  }

  async query(filter: TaskFilter, page: TaskPage = {}): Promise<TaskQueryResult> {
    const values: unknown[] = [];
    const where = buildWhere(filter ?? {}, values, 'query');
    if (typeof page !== 'object' || page === null) throw new InvalidArgumentError('query: "page" must be an object.');
    const offset = checkInteger(page.offset ?? 0, 'query: "page.offset"', 0);
    const limit = checkInteger(page.limit ?? 50, 'query: "page.limit"', 0);
    const sortBy = page.sortBy ?? 'createdAt';
    const column = SORT_COLUMNS[sortBy];
    if (column === undefined) {
      throw new InvalidArgumentError(`query: "page.sortBy" must be one of ${Object.keys(SORT_COLUMNS).join(', ')}; received ${String(sortBy)}.`);
    }
    const dir = page.descending === false ? 'ASC' : 'DESC';
    if (where === null) return { items: [], total: 0 };
    const whereSql = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
    values.push(limit, offset);
    const res = await this.#run<TaskRow & { total: string }>('query', {
      text: `SELECT ${taskSelectList()}, count(*) OVER () AS total FROM ${this.#s}.tasks ${whereSql}
ORDER BY ${column.expr} ${dir}${column.nullable ? ' NULLS LAST' : ''}, tasks.id ${dir} LIMIT $${values.length - 1} OFFSET $${values.length}`,
      values,
    });
    let total: number;
    const first = res.rows[0];
    if (first !== undefined) {
      total = Number(first.total);
    } else if (offset === 0 && limit > 0) {
      total = 0;
    } else {
      const count = await this.#run<{ n: number }>('query', {
        text: `SELECT count(*)::int AS n FROM ${this.#s}.tasks ${whereSql}`,
        values: values.slice(0, -2),
      });
      total = count.rows[0]?.n ?? 0;
    }
    return { items: res.rows.map(rowToTask), total };
  }

  async count(filter: TaskFilter = {}): Promise<StatusCount[]> {
    const values: unknown[] = [];
    const where = buildWhere(filter ?? {}, values, 'count');
    if (where === null) return [];
    const whereSql = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
    const res = await this.#run<{ queue: string; status: string; n: number }>('count', {
      text: `SELECT queue, status, count(*)::int AS n FROM ${this.#s}.tasks ${whereSql} GROUP BY queue, status ORDER BY queue, status`,
      values,
    });
    return res.rows.map((row) => {
      if (!TASK_STATUSES.includes(row.status as TaskStatus)) {
        throw new StorageError(`PostgresStorage read a malformed row: unknown status ${JSON.stringify(row.status)} in column "status" of ${this.schema}.tasks.`);
      }
      return { queue: row.queue, status: row.status as TaskStatus, count: row.n };
    });
  }

  // ---- history -------------------------------------------------------------------------------

  async getStatusAudit(taskId: string): Promise<StatusAuditEntry[]> {
    if (!isUuid(taskId)) return [];
    const res = await this.#run('getStatusAudit', this.#q('status_audit', this.#sql.statusAudit, [taskId]));
    return res.rows.map(rowToStatusAudit);
  }

  async getRunAudit(taskId: string): Promise<RunAuditEntry[]> {
    if (!isUuid(taskId)) return [];
    const res = await this.#run('getRunAudit', this.#q('run_audit', this.#sql.runAudit, [taskId]));
    return res.rows.map(rowToRunAudit);
  }

  async saveExecutionLogs(taskId: string, logs: readonly ExecutionLogEntry[]): Promise<void> {
    if (!isUuid(taskId)) throw new InvalidArgumentError(`saveExecutionLogs: "taskId" must be a UUID string; received ${String(taskId)}.`);
    if (!Array.isArray(logs)) throw new InvalidArgumentError('saveExecutionLogs: "logs" must be an array.');
    logs.forEach((log, i) => checkLog(log, `saveExecutionLogs: logs[${i}]`));
    if (logs.length === 0) return;
    const config = this.#q('save_logs', this.#sql.saveLogs, [
      taskId,
      logs.map((l) => l.id),
      logs.map((l) => l.at),
      logs.map((l) => l.level),
      logs.map((l) => l.message),
      logs.map((l) => l.exception),
      logs.map((l) => l.sequence),
    ]);
    try {
      await this.#pool.query(config);
    } catch (error) {
      if (sqlState(error) === '23503') {
        throw new StorageError(`PostgresStorage.saveExecutionLogs failed: cannot save logs of unknown task "${taskId}".`, { cause: error });
      }
      throw toStorageError('saveExecutionLogs', error);
    }
  }

  async getExecutionLogs(taskId: string, skip = 0, take = 1000): Promise<ExecutionLogEntry[]> {
    checkInteger(skip, 'getExecutionLogs: "skip"', 0);
    checkInteger(take, 'getExecutionLogs: "take"', 0);
    if (!isUuid(taskId) || take === 0) return [];
    const res = await this.#run('getExecutionLogs', this.#q('get_logs', this.#sql.getLogs, [taskId, skip, take]));
    return res.rows.map(rowToLog);
  }

  async countExecutionLogs(taskId: string): Promise<number> {
    if (!isUuid(taskId)) return 0;
    const res = await this.#run<{ n: number }>('countExecutionLogs', this.#q('count_logs', this.#sql.countLogs, [taskId]));
    return res.rows[0]?.n ?? 0;
  }

  // ---- maintenance ---------------------------------------------------------------------------

  async cleanup(policy: RetentionPolicy): Promise<RetentionResult> {
    if (typeof policy !== 'object' || policy === null) throw new InvalidArgumentError('cleanup: "policy" must be an object.');
    const times = (['completedBefore', 'failedBefore', 'auditBefore', 'logsBefore'] as const).map((key) => {
      const value = policy[key];
      if (value === undefined) return null;
      checkValue('time', value, `cleanup: "policy.${key}"`);
      return value;
    });
    const res = await this.#run<{ tasks: number; audits: number; logs: number }>('cleanup', {
      text: this.#sql.cleanup,
      values: times,
    });
    const row = res.rows[0];
    return { tasks: row?.tasks ?? 0, audits: row?.audits ?? 0, logs: row?.logs ?? 0 };
  }

  // ---- notifications -------------------------------------------------------------------------

  async subscribe(listener: (notification: StorageNotification) => void): Promise<() => Promise<void>> {
    if (typeof listener !== 'function') throw new InvalidArgumentError('subscribe: "listener" must be a function.');
    if (!this.#options.notifications) {
      throw new InvalidArgumentError('subscribe: notifications are off for this PostgresStorage (option "notifications": false).');
    }
    this.#listeners.add(listener);
    if (this.#listener === undefined) {
      const created = new NotificationListener({
        clientConfig: this.#listenerClientConfig(),
        channel: this.#channel,
        initialBackoffMs: this.#options.listenerInitialBackoffMs,
        maxBackoffMs: this.#options.listenerMaxBackoffMs,
        onNotification: (notification) => this.#emit(notification),
        onReconnect: () => this.#emit({ kind: 'task-available' }),
      });
      this.#listener = created;
      try {
        await created.start();
      } catch (error) {
        this.#listener = undefined;
        this.#listeners.delete(listener);
        throw error;
      }
    } else {
      await this.#listener.start();
    }
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0 && this.#listener !== undefined) {
        const current = this.#listener;
        this.#listener = undefined;
        await current.stop();
      }
    };
  }

  async notify(notification: StorageNotification): Promise<void> {
    if (typeof notification !== 'object' || notification === null || !['task-available', 'task-cancelled'].includes(notification.kind)) {
      throw new InvalidArgumentError('notify: "notification.kind" must be "task-available" or "task-cancelled".');
    }
    if (!this.#options.notifications) return;
    await this.#run('notify', { text: this.#sql.notify, values: [this.#channel, formatNotificationPayload(notification)] });
  }

  /** Backend pid of the LISTEN connection, when subscribed (diagnostics and tests). */
  get listenerProcessId(): number | undefined {
    return this.#listener?.processId;
  }

  #emit(notification: StorageNotification): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(notification);
      } catch {
        // A listener's failure must not stop the others or the LISTEN connection.
      }
    }
  }

  #listenerClientConfig(): ClientConfig {
    if (this.#connectionString !== undefined) return { connectionString: this.#connectionString };
    const { max: _max, min: _min, idleTimeoutMillis: _idle, Client: _client, log: _log, ...rest } = this.#pool.options as pg.PoolConfig;
    return rest as ClientConfig;
  }
}

/**
 * The JSON of a transition batch. Text PostgreSQL cannot store — a lone UTF-16 surrogate or a NUL,
 * e.g. in an exception message — is replaced by U+FFFD rather than failing the write: a status
 * change that can never be written would leave its task running until its lease lapsed, again and
 * again. (`JSON.stringify` escapes exactly those as `\udXXX` / `\u0000`, so the check is cheap.)
 */
function transitionJson(round: readonly TransitionRow[]): string {
  const json = JSON.stringify(round);
  if (!/\\u(?:d[89a-f]|0000)/i.test(json)) return json;
  return JSON.stringify(round, (_key, value: unknown) =>
    typeof value === 'string' ? (value as string & { toWellFormed(): string }).toWellFormed().replaceAll('\u0000', '\ufffd') : value,
  );
}

const ID_COLUMN = TASK_COLUMNS.indexOf('id');

/** Distinct `add` statement shapes kept; real workloads have a handful. */
const ADD_SHAPE_CACHE_LIMIT = 64;

/** The NOTIFY payload of an insert: the earliest due time of its runnable tasks, with the id when there is one; null when none is runnable. */
function wakeUpPayload(tasks: readonly StoredTask[]): string | null {
  let dueAt: number | undefined;
  let taskId: string | undefined;
  let runnable = 0;
  for (const t of tasks) {
    if ((t.status !== 'waiting' && t.status !== 'service-stopped') || t.dueAt === null) continue;
    runnable++;
    taskId = t.id;
    if (dueAt === undefined || t.dueAt < dueAt) dueAt = t.dueAt;
  }
  if (dueAt === undefined) return null;
  return formatNotificationPayload(runnable === 1 ? { kind: 'task-available', dueAt, taskId } : { kind: 'task-available', dueAt });
}

/**
 * A PostgreSQL array literal (`{"a","b",NULL,1}`) for one column of `add`: every text element
 * quoted, with backslashes and double quotes escaped; numbers as written; null as NULL. The
 * statement casts it (`$1::text[]`, `$8::int8[]`…). Cheaper than the driver's generic array
 * encoding, which matters for thousand-row inserts.
 */
function arrayLiteral(values: readonly unknown[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = 'NULL';
    else if (typeof v === 'number') parts[i] = String(v);
    else {
      const text = String(v);
      parts[i] = text.includes('"') || text.includes('\\') ? `"${text.replace(/["\\]/g, '\\$&')}"` : `"${text}"`;
    }
  }
  return `{${parts.join(',')}}`;
}

function taskValue(task: StoredTask, col: number): unknown {
  switch (TASK_COLUMNS[col]) {
    case 'id': return task.id;
    case 'name': return task.name;
    case 'payload': return task.payload;
    case 'status': return task.status;
    case 'queue': return task.queue;
    case 'task_key': return task.taskKey;
    case 'audit_level': return task.auditLevel;
    case 'created_at': return task.createdAt;
    case 'updated_at': return task.updatedAt;
    case 'scheduled_at': return task.scheduledAt;
    case 'due_at': return task.dueAt;
    case 'attempts': return task.attempts;
    case 'last_execution_at': return task.lastExecutionAt;
    case 'execution_time_ms': return task.executionTimeMs;
    case 'error': return task.error;
    case 'lease_owner': return task.leaseOwner;
    case 'lease_expires_at': return task.leaseExpiresAt;
    case 'recovery_failures': return task.recoveryFailures;
    case 'recurring': return task.recurring;
    case 'recurring_info': return task.recurringInfo;
    case 'run_count': return task.runCount;
    case 'max_runs': return task.maxRuns;
    case 'run_until': return task.runUntil;
    case 'last_outcome': return task.lastOutcome;
    default: return null;
  }
}

/** One transition as the JSON row the transition statement reads. */
interface TransitionRow {
  i: number;
  id: string;
  f: readonly TaskStatus[];
  o: string | null;
  s: TaskStatus;
  at: number;
  p: TaskPatch;
  a: boolean;
  ae: string | null;
  pa?: { n: number; status: string; at: number; error: string | null }[];
  r?: { at: number; status: TaskStatus; executionTimeMs: number; error: string | null };
  l?: readonly ExecutionLogEntry[];
}

function transitionRow(change: TaskTransition, index: number): TransitionRow {
  const what = `transition: changes[${index}]`;
  if (typeof change !== 'object' || change === null) throw new InvalidArgumentError(`${what} must be an object.`);
  if (typeof change.id !== 'string') throw new InvalidArgumentError(`${what}.id must be a string.`);
  const from = checkStatuses(change.from, `${what}.from`);
  checkValue('status', change.to, `${what}.to`);
  checkValue('time', change.at, `${what}.at`);
  if (change.owner !== undefined && typeof change.owner !== 'string') throw new InvalidArgumentError(`${what}.owner must be a string.`);
  const keys = checkPatch(change.patch, `${what}.patch`);
  const patch: Record<string, unknown> = {};
  for (const key of keys) patch[key] = (change.patch as Record<string, unknown>)[key];
  const row: TransitionRow = {
    i: index,
    id: change.id,
    f: from,
    o: change.owner ?? null,
    s: change.to,
    at: change.at,
    p: patch as TaskPatch,
    a: change.audit !== undefined,
    ae: null,
  };
  if (change.audit !== undefined) {
    if (typeof change.audit !== 'object' || change.audit === null) throw new InvalidArgumentError(`${what}.audit must be { error }.`);
    checkValue('text?', change.audit.error ?? null, `${what}.audit.error`);
    row.ae = change.audit.error ?? null;
  }
  if (change.priorAudits !== undefined) {
    if (!Array.isArray(change.priorAudits)) throw new InvalidArgumentError(`${what}.priorAudits must be an array.`);
    row.pa = change.priorAudits.map((a, i) => {
      checkValue('status', a?.status, `${what}.priorAudits[${i}].status`);
      checkValue('time', a?.at, `${what}.priorAudits[${i}].at`);
      checkValue('text?', a?.error ?? null, `${what}.priorAudits[${i}].error`);
      return { n: i, status: a.status, at: a.at, error: a.error ?? null };
    });
  }
  if (change.runAudit !== undefined) {
    const ra = change.runAudit;
    if (typeof ra !== 'object' || ra === null) throw new InvalidArgumentError(`${what}.runAudit must be an object.`);
    checkValue('time', ra.at, `${what}.runAudit.at`);
    checkValue('status', ra.status, `${what}.runAudit.status`);
    checkValue('number?', ra.executionTimeMs, `${what}.runAudit.executionTimeMs`);
    checkValue('text?', ra.error ?? null, `${what}.runAudit.error`);
    row.r = { at: ra.at, status: ra.status, executionTimeMs: ra.executionTimeMs ?? 0, error: ra.error ?? null };
  }
  if (change.logs !== undefined) {
    if (!Array.isArray(change.logs)) throw new InvalidArgumentError(`${what}.logs must be an array.`);
    change.logs.forEach((log, i) => checkLog(log, `${what}.logs[${i}]`));
    if (change.logs.length > 0) row.l = change.logs;
  }
  return row;
}

/**
 * Translates a filter into SQL conditions (pushing their values). Returns null when the filter
 * can match nothing (e.g. only non-UUID ids).
 */
function buildWhere(filter: TaskFilter, values: unknown[], op: string): string[] | null {
  if (typeof filter !== 'object' || filter === null) throw new InvalidArgumentError(`${op}: "filter" must be an object.`);
  const where: string[] = [];
  const param = (value: unknown, cast: string): string => {
    values.push(value);
    return `$${values.length}::${cast}`;
  };
  const text = (value: unknown, field: string): string => {
    if (typeof value !== 'string') throw new InvalidArgumentError(`${op}: "filter.${field}" must be a string.`);
    return value;
  };
  if (filter.ids !== undefined) {
    if (!Array.isArray(filter.ids) || !filter.ids.every((id) => typeof id === 'string')) {
      throw new InvalidArgumentError(`${op}: "filter.ids" must be an array of strings.`);
    }
    const ids = filter.ids.filter(isUuid);
    if (ids.length === 0) return null;
    where.push(`id = ANY (${param(ids, 'uuid[]')})`);
  }
  if (filter.statuses !== undefined) {
    const statuses = checkStatuses(filter.statuses, `${op}: "filter.statuses"`);
    if (statuses.length === 0) return null;
    where.push(`status = ANY (${param(statuses, 'text[]')})`);
  }
  if (filter.name !== undefined) where.push(`name = ${param(text(filter.name, 'name'), 'text')}`);
  if (filter.nameContains !== undefined) {
    where.push(`strpos(lower(name), lower(${param(text(filter.nameContains, 'nameContains'), 'text')})) > 0`);
  }
  if (filter.queue !== undefined) where.push(`queue = ${param(text(filter.queue, 'queue'), 'text')}`);
  if (filter.taskKey !== undefined) where.push(`task_key = ${param(text(filter.taskKey, 'taskKey'), 'text')}`);
  if (filter.recurring !== undefined) {
    if (typeof filter.recurring !== 'boolean') throw new InvalidArgumentError(`${op}: "filter.recurring" must be a boolean.`);
    where.push(filter.recurring ? 'recurring IS NOT NULL' : 'recurring IS NULL');
  }
  if (filter.createdAfter !== undefined) {
    checkValue('time', filter.createdAfter, `${op}: "filter.createdAfter"`);
    where.push(`created_at >= ${param(filter.createdAfter, 'int8')}`);
  }
  if (filter.createdBefore !== undefined) {
    checkValue('time', filter.createdBefore, `${op}: "filter.createdBefore"`);
    where.push(`created_at < ${param(filter.createdBefore, 'int8')}`);
  }
  if (filter.search !== undefined) {
    const p = param(text(filter.search, 'search'), 'text');
    where.push(`(strpos(lower(name), lower(${p})) > 0 OR strpos(lower(coalesce(task_key, '')), lower(${p})) > 0)`);
  }
  return where;
}

