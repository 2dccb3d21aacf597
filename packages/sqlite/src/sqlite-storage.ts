import Database from 'better-sqlite3';
import { setImmediate as yieldToEventLoop, setTimeout as sleep } from 'node:timers/promises';
import {
  InvalidArgumentError,
  StorageError,
  TASK_STATUSES,
  TaskKeyConflictError,
  INSTANCE_RECORD_RETENTION_MS,
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
  type TaskSortField,
  type TaskStatus,
  type TaskStorage,
  type TaskTransition,
} from 'evertask';
import {
  ACTIVE_STATUSES_SQL,
  DUE_STATUSES_SQL,
  LATEST_SCHEMA_VERSION,
  LEASED_STATUSES_SQL,
  MIGRATIONS,
  expectedColumns,
  migrationsTableSql,
  tableNames,
  type TableNames,
} from './migrations.js';
import {
  PATCH_COLUMNS,
  TASK_COLUMNS,
  rowToInstance,
  rowToLog,
  rowToRunAudit,
  rowToStatusAudit,
  rowToTask,
  taskToParams,
  toSqlValue,
  type SqlValue,
} from './row-mapping.js';
import {
  SQLITE_STORAGE_DEFAULTS,
  type ResolvedSqliteStorageOptions,
  type SqliteStorageOptions,
} from './sqlite-storage-options.js';
import { isBusy, sqliteCode, toStorageError } from './sqlite-errors.js';
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

type Row = Record<string, unknown>;
type Stmt = Database.Statement<unknown[], Row>;

const STATUS_SET = new Set<string>(TASK_STATUSES);
const PREFIX_RE = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/;
/** Longest a single attempt waits inside SQLite (blocking the event loop) before backing off asynchronously. */
const SYNC_BUSY_SLICE_MS = 25;
/** Rows deleted per transaction by `cleanup`, so other processes are not locked out for long. */
const CLEANUP_CHUNK = 2000;
/** Most dynamic statements kept prepared (transitions and queries with different shapes). */
const STATEMENT_CACHE_LIMIT = 256;

const SORT_COLUMNS: Readonly<Record<TaskSortField, string>> = {
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  dueAt: 'due_at',
  lastExecutionAt: 'last_execution_at',
  status: 'status',
  name: 'name',
  queue: 'queue',
};

interface Statements {
  insertTask: Stmt;
  insertStatusAudit: Stmt;
  insertRunAudit: Stmt;
  insertLog: Stmt;
  get: Stmt;
  getByKey: Stmt;
  exists: Stmt;
  remove: Stmt;
  claimCandidates: Stmt;
  claimCandidatesInQueues: Stmt;
  claimUpdate: Stmt;
  renew: Stmt;
  renewIds: Stmt;
  nextDue: Stmt;
  nextDueInQueues: Stmt;
  pendingFirst: Stmt;
  pendingAfter: Stmt;
  scheduled: Stmt;
  statusAudit: Stmt;
  runAudit: Stmt;
  logs: Stmt;
  countLogs: Stmt;
  cleanupCompleted: Stmt;
  cleanupFailed: Stmt;
  cleanupStatusAudit: Stmt;
  cleanupRunAudit: Stmt;
  cleanupLogs: Stmt;
  upsertInstance: Stmt;
  purgeInstances: Stmt;
  removeInstance: Stmt;
  listInstances: Stmt;
}

function resolveOptions(options: SqliteStorageOptions): ResolvedSqliteStorageOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('SqliteStorage: options must be an object with "filename" or "database".');
  }
  const { filename, database } = options as { filename?: unknown; database?: unknown };
  if (filename !== undefined && database !== undefined) {
    throw new InvalidArgumentError('SqliteStorage: give either "filename" or "database", not both.');
  }
  if (database === undefined) {
    if (typeof filename !== 'string' || filename.length === 0) {
      throw new InvalidArgumentError(
        `SqliteStorage: "filename" must be a non-empty path (or ':memory:'), got ${JSON.stringify(filename)}; ` +
          `or pass an open better-sqlite3 database as "database".`,
      );
    }
  } else if (
    typeof database !== 'object' ||
    database === null ||
    typeof (database as { prepare?: unknown }).prepare !== 'function'
  ) {
    throw new InvalidArgumentError('SqliteStorage: "database" must be an open better-sqlite3 Database.');
  }
  const migrate = options.migrate ?? SQLITE_STORAGE_DEFAULTS.migrate;
  if (typeof migrate !== 'boolean') {
    throw new InvalidArgumentError(`SqliteStorage: "migrate" must be true or false, got ${JSON.stringify(migrate)}.`);
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? SQLITE_STORAGE_DEFAULTS.busyTimeoutMs;
  if (typeof busyTimeoutMs !== 'number' || !Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new InvalidArgumentError(
      `SqliteStorage: "busyTimeoutMs" must be a whole number of milliseconds >= 0, got ${String(busyTimeoutMs)}.`,
    );
  }
  const synchronous = options.synchronous ?? SQLITE_STORAGE_DEFAULTS.synchronous;
  if (synchronous !== 'normal' && synchronous !== 'full') {
    throw new InvalidArgumentError(
      `SqliteStorage: "synchronous" must be 'normal' or 'full', got ${JSON.stringify(synchronous)}.`,
    );
  }
  const tablePrefix = options.tablePrefix ?? SQLITE_STORAGE_DEFAULTS.tablePrefix;
  if (typeof tablePrefix !== 'string' || !PREFIX_RE.test(tablePrefix)) {
    throw new InvalidArgumentError(
      `SqliteStorage: "tablePrefix" must be letters, digits and underscores, starting with a letter or underscore, ` +
        `at most 40 characters; got ${JSON.stringify(tablePrefix)}.`,
    );
  }
  return {
    filename: database === undefined ? (filename as string) : undefined,
    database: database as Database.Database | undefined,
    migrate,
    busyTimeoutMs,
    synchronous,
    tablePrefix,
  };
}

/** Case-insensitive substring test with JavaScript's Unicode case mapping (SQLite's `lower` is ASCII only). */
function icontains(haystack: unknown, needle: unknown): number {
  if (typeof haystack !== 'string' || typeof needle !== 'string') return 0;
  return haystack.toLowerCase().includes(needle.toLowerCase()) ? 1 : 0;
}

/**
 * EverTask storage on SQLite through better-sqlite3: one file, shared safely by several processes
 * on one machine. Statuses and times live in indexed columns, so every filter and the due-task query
 * run inside SQLite; each status change and its audit row, and each batch of them, is one transaction.
 *
 * better-sqlite3 is synchronous: every call runs on the event loop. Statements are prepared once
 * and batches share one transaction, so each call is short; a lock held by another process is
 * waited for mostly asynchronously (see `busyTimeoutMs`).
 */
export class SqliteStorage implements TaskStorage {
  /**
   * A file is persistent and may be shared by processes; a private `':memory:'` database is neither.
   * Cross-process wake-ups are not offered (`notifications: false`): other processes see new work
   * at their next safety sweep or timer.
   */
  readonly capabilities: StorageCapabilities;

  readonly #options: ResolvedSqliteStorageOptions;
  readonly #t: TableNames;
  #db: Database.Database | undefined;
  #stmts: Statements | undefined;
  #opening: Promise<void> | undefined;
  #dynamic = new Map<string, Stmt>();

  constructor(options: SqliteStorageOptions) {
    this.#options = resolveOptions(options);
    this.#t = tableNames(this.#options.tablePrefix);
    const memory =
      this.#options.database !== undefined
        ? this.#options.database.memory
        : this.#options.filename === ':memory:' || this.#options.filename?.startsWith('file::memory:') === true;
    this.capabilities = Object.freeze({
      persistent: !memory,
      multiProcess: !memory,
      notifications: false,
      transactionalDispatch: false,
    });
  }

  /** The file this storage works on (for messages). */
  get #location(): string {
    if (this.#options.filename !== undefined) return this.#options.filename;
    const db = this.#options.database;
    return db?.name ? db.name : 'handed-in database';
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  async open(): Promise<void> {
    if (this.#stmts) return;
    this.#opening ??= this.#openWithRetry().finally(() => {
      this.#opening = undefined;
    });
    return this.#opening;
  }

  async close(): Promise<void> {
    if (this.#opening) {
      try {
        await this.#opening;
      } catch {
        // the failed open already released what it opened
      }
    }
    this.#release(true);
  }

  async #openWithRetry(): Promise<void> {
    const deadline = Date.now() + this.#options.busyTimeoutMs;
    let delay = 2;
    for (;;) {
      try {
        this.#openSync();
        return;
      } catch (error) {
        this.#release(false);
        if (isBusy(error) && Date.now() < deadline) {
          await sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
          delay = Math.min(delay * 2, 50);
          continue;
        }
        throw toStorageError(error, 'opening the database', this.#location);
      }
    }
  }

  /**
   * Forgets the connection and closes it when we opened it (never a database handed in). After a
   * normal use, `optimize` first lets SQLite refresh stale planner statistics (cheap; recommended
   * before closing).
   */
  #release(optimize: boolean): void {
    const db = this.#db;
    this.#db = undefined;
    this.#stmts = undefined;
    this.#dynamic.clear();
    if (!db || this.#options.database !== undefined || !db.open) return;
    if (optimize) {
      try {
        db.pragma('optimize');
      } catch {
        // best effort: a busy or read-only database still closes
      }
    }
    try {
      db.close();
    } catch (error) {
      if (optimize) throw error;
      // after a failed open there is nothing more to release
    }
  }

  #openSync(): void {
    const handed = this.#options.database;
    if (handed && !handed.open) {
      throw new StorageError(`SQLite storage (${this.#location}): the database handed in as "database" is closed.`);
    }
    const db = handed ?? new Database(this.#options.filename as string);
    this.#db = db;
    db.pragma(`busy_timeout = ${Math.min(this.#options.busyTimeoutMs, SYNC_BUSY_SLICE_MS)}`);
    if (!db.memory && !db.readonly) {
      // Persistent setting; returns the mode in effect. Also the first read of the file, so a file that is
      // not a database fails here with SQLITE_NOTADB.
      db.pragma('journal_mode = WAL');
    } else {
      db.pragma('schema_version');
    }
    db.pragma(`synchronous = ${this.#options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    if (this.#options.migrate) this.#migrate(db);
    else this.#verifyVersion(db);
    this.#verifyShape(db);
    db.function('evertask_icontains', { deterministic: true }, icontains);
    this.#stmts = this.#prepare(db);
  }

  #tableExists(db: Database.Database, name: string): boolean {
    return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined;
  }

  #columns(db: Database.Database, table: string): string[] {
    return (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((r) => r.name);
  }

  /** The recorded schema version; 0 when the migrations table is missing. */
  #schemaVersion(db: Database.Database): number {
    const t = this.#t;
    if (!this.#tableExists(db, t.migrations)) return 0;
    const cols = this.#columns(db, t.migrations);
    if (!cols.includes('version')) {
      throw new StorageError(
        `SQLite storage (${this.#location}): table "${t.migrations}" exists but was not created by EverTask ` +
          `(it has no "version" column). Use another file, or another "tablePrefix".`,
      );
    }
    const row = db.prepare(`SELECT MAX(version) AS v FROM ${t.migrations}`).get() as { v: number | bigint | null };
    return Number(row.v ?? 0);
  }

  #checkNotNewer(version: number): void {
    if (version > LATEST_SCHEMA_VERSION) {
      throw new StorageError(
        `SQLite storage (${this.#location}): the database schema is version ${version}, newer than this ` +
          `@evertask/sqlite supports (${LATEST_SCHEMA_VERSION}). Upgrade @evertask/sqlite in this application.`,
      );
    }
  }

  #migrate(db: Database.Database): void {
    const t = this.#t;
    // Cheap read first: an up-to-date database (the usual case) is opened without taking the write lock.
    const seen = this.#schemaVersion(db);
    this.#checkNotNewer(seen);
    if (seen === LATEST_SCHEMA_VERSION) return;
    const apply = db.transaction(() => {
      db.exec(migrationsTableSql(t));
      const current = this.#schemaVersion(db);
      this.#checkNotNewer(current);
      const record = db.prepare(`INSERT INTO ${t.migrations} (version, name, applied_at) VALUES (?, ?, ?)`);
      for (const migration of MIGRATIONS) {
        if (migration.version <= current) continue;
        for (const table of migration.creates(t)) {
          if (this.#tableExists(db, table)) {
            throw new StorageError(
              `SQLite storage (${this.#location}): cannot create table "${table}": a table of that name already exists ` +
                `but the database has no record of EverTask's migration ${migration.version}. The file holds tables ` +
                `EverTask did not create; use another file or set "tablePrefix".`,
            );
          }
        }
        db.exec(migration.sql(t));
        record.run(migration.version, migration.name, Date.now());
      }
    });
    apply.immediate();
  }

  #verifyVersion(db: Database.Database): void {
    const version = this.#schemaVersion(db);
    this.#checkNotNewer(version);
    if (version === 0) {
      throw new StorageError(
        `SQLite storage (${this.#location}): the database has no EverTask schema (table "${this.#t.migrations}" is ` +
          `missing) and "migrate" is false. Open it once with migrate: true (the default) to create the schema.`,
      );
    }
    if (version < LATEST_SCHEMA_VERSION) {
      throw new StorageError(
        `SQLite storage (${this.#location}): the database schema is at version ${version} but this version of ` +
          `@evertask/sqlite needs ${LATEST_SCHEMA_VERSION}, and "migrate" is false. Open it once with migrate: true ` +
          `to apply the missing migrations.`,
      );
    }
  }

  #verifyShape(db: Database.Database): void {
    for (const [table, wanted] of Object.entries(expectedColumns(this.#t))) {
      const have = new Set(this.#columns(db, table));
      const missing = wanted.filter((c) => !have.has(c));
      if (missing.length > 0) {
        throw new StorageError(
          `SQLite storage (${this.#location}): table "${table}" ${have.size === 0 ? 'is missing' : `lacks column(s) ${missing.join(', ')}`}; ` +
            `it was not created by this version of EverTask or was altered. Use another file or "tablePrefix", or restore the table.`,
        );
      }
    }
  }

  #prepare(db: Database.Database): Statements {
    const t = this.#t;
    // Numbers, never bigints, even when a handed-in database defaults to safe integers.
    const p = (sql: string): Stmt => db.prepare<unknown[], Row>(sql).safeIntegers(false);
    const columns = TASK_COLUMNS.map(([c]) => c).join(', ');
    const marks = TASK_COLUMNS.map(() => '?').join(', ');
    const inQueues = 'queue IN (SELECT value FROM json_each(?))';
    const dueCandidates = (queues: boolean): string => `
      SELECT id, k FROM (
        SELECT id, due_at AS k FROM ${t.tasks} INDEXED BY ${t.tasks}_due
        WHERE ${DUE_STATUSES_SQL} AND due_at <= @now ${queues ? `AND ${inQueues.replace('?', '@queues')}` : ''}
        ORDER BY due_at LIMIT @limit)
      UNION ALL
      SELECT id, k FROM (
        SELECT id, lease_expires_at AS k FROM ${t.tasks} INDEXED BY ${t.tasks}_lease_expiry
        WHERE ${LEASED_STATUSES_SQL} AND lease_expires_at <= @now ${queues ? `AND ${inQueues.replace('?', '@queues')}` : ''}
        ORDER BY lease_expires_at LIMIT @limit)
      ORDER BY k, id LIMIT @limit`;
    const nextDue = (queues: boolean): string => `
      SELECT MIN(k) AS k FROM (
        SELECT MIN(due_at) AS k FROM ${t.tasks} INDEXED BY ${t.tasks}_due WHERE ${DUE_STATUSES_SQL} AND due_at IS NOT NULL ${queues ? `AND ${inQueues}` : ''}
        UNION ALL
        SELECT MIN(lease_expires_at) AS k FROM ${t.tasks} INDEXED BY ${t.tasks}_lease_expiry
        WHERE ${LEASED_STATUSES_SQL} AND lease_expires_at IS NOT NULL ${queues ? `AND ${inQueues}` : ''})`;
    // INDEXED BY pins the hot queries to their partial indexes: without statistics the planner
    // would otherwise pick the status index and sort every waiting row. It also proves, when the
    // statement is prepared, that each query's WHERE implies its index's predicate.
    const chunkDelete = (table: string, where: string, key = 'id'): string =>
      `DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${where} LIMIT ${CLEANUP_CHUNK})`;
    return {
      insertTask: p(`INSERT INTO ${t.tasks} (${columns}) VALUES (${marks})`),
      insertStatusAudit: p(`INSERT INTO ${t.statusAudit} (task_id, status, at, error) VALUES (?, ?, ?, ?)`),
      insertRunAudit: p(
        `INSERT INTO ${t.runAudit} (task_id, at, status, execution_time_ms, error) VALUES (?, ?, ?, ?, ?)`,
      ),
      insertLog: p(
        `INSERT INTO ${t.logs} (id, task_id, at, level, message, exception, sequence) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      get: p(`SELECT * FROM ${t.tasks} WHERE id = ?`),
      getByKey: p(`SELECT * FROM ${t.tasks} WHERE task_key = ?`),
      exists: p(`SELECT 1 FROM ${t.tasks} WHERE id = ?`),
      remove: p(`DELETE FROM ${t.tasks} WHERE id = ?`),
      claimCandidates: p(dueCandidates(false)),
      claimCandidatesInQueues: p(dueCandidates(true)),
      claimUpdate: p(
        `UPDATE ${t.tasks} SET status = 'queued', lease_owner = ?, lease_expires_at = ?, updated_at = ?
         WHERE id IN (SELECT value FROM json_each(?)) RETURNING *`,
      ),
      renew: p(
        `UPDATE ${t.tasks} INDEXED BY ${t.tasks}_lease_owner SET lease_expires_at = ? WHERE lease_owner = ? AND ${LEASED_STATUSES_SQL}`,
      ),
      renewIds: p(
        `UPDATE ${t.tasks} SET lease_expires_at = ? WHERE lease_owner = ? AND ${LEASED_STATUSES_SQL} AND id IN (SELECT value FROM json_each(?))`,
      ),
      nextDue: p(nextDue(false)),
      nextDueInQueues: p(nextDue(true)),
      pendingFirst: p(`SELECT * FROM ${t.tasks} INDEXED BY ${t.tasks}_pending WHERE ${ACTIVE_STATUSES_SQL} ORDER BY created_at, id LIMIT ?`),
      pendingAfter: p(
        `SELECT * FROM ${t.tasks} INDEXED BY ${t.tasks}_pending WHERE ${ACTIVE_STATUSES_SQL} AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?`,
      ),
      scheduled: p(
        `SELECT * FROM ${t.tasks} INDEXED BY ${t.tasks}_due WHERE ${DUE_STATUSES_SQL} AND status = 'waiting' AND due_at <= ? ORDER BY due_at, id LIMIT ?`,
      ),
      statusAudit: p(`SELECT task_id, status, at, error FROM ${t.statusAudit} WHERE task_id = ? ORDER BY at, id`),
      runAudit: p(
        `SELECT task_id, at, status, execution_time_ms, error FROM ${t.runAudit} WHERE task_id = ? ORDER BY at, id`,
      ),
      logs: p(
        `SELECT id, task_id, at, level, message, exception, sequence FROM ${t.logs} WHERE task_id = ?
         ORDER BY at, sequence, id LIMIT ? OFFSET ?`,
      ),
      countLogs: p(`SELECT COUNT(*) AS n FROM ${t.logs} WHERE task_id = ?`),
      cleanupCompleted: p(
        chunkDelete(t.tasks, `status = 'completed' AND recurring IS NULL AND updated_at < ?`),
      ),
      cleanupFailed: p(
        chunkDelete(t.tasks, `status IN ('failed', 'cancelled') AND recurring IS NULL AND updated_at < ?`),
      ),
      cleanupStatusAudit: p(chunkDelete(t.statusAudit, 'at < ?')),
      cleanupRunAudit: p(chunkDelete(t.runAudit, 'at < ?')),
      cleanupLogs: p(chunkDelete(t.logs, 'at < ?')),
      upsertInstance: p(
        `INSERT INTO ${t.instances} (id, hostname, pid, started_at, heartbeat_at, expires_at, queues) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET hostname = excluded.hostname, pid = excluded.pid, started_at = excluded.started_at,
           heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at, queues = excluded.queues`,
      ),
      purgeInstances: p(`DELETE FROM ${t.instances} WHERE expires_at < ? AND id <> ?`),
      removeInstance: p(`DELETE FROM ${t.instances} WHERE id = ?`),
      listInstances: p(`SELECT * FROM ${t.instances} ORDER BY started_at, id`),
    };
  }

  // ---- execution helpers -----------------------------------------------------------------------

  #require(operation: string): { db: Database.Database; s: Statements } {
    const db = this.#db;
    const s = this.#stmts;
    if (!db || !s) {
      throw new StorageError(
        `SQLite storage (${this.#location}): cannot run ${operation}: the storage is not open. Call open() first ` +
          `(EverTask.start() does), and do not use it after close().`,
      );
    }
    if (!db.open) {
      throw new StorageError(
        `SQLite storage (${this.#location}): cannot run ${operation}: the database handed in was closed by its owner.`,
      );
    }
    return { db, s };
  }

  /**
   * Runs one synchronous unit of work (a statement or a transaction). When another connection holds
   * the write lock, SQLite waits up to a short slice; after that the attempt is retried with
   * asynchronous back-off until `busyTimeoutMs` has passed, then a transient `StorageError` is thrown.
   * A failed attempt has rolled back, so a retry is safe.
   */
  async #run<T>(operation: string, work: (db: Database.Database, s: Statements) => T): Promise<T> {
    const deadline = Date.now() + this.#options.busyTimeoutMs;
    let delay = 1;
    for (;;) {
      const { db, s } = this.#require(operation);
      try {
        return work(db, s);
      } catch (error) {
        if (isBusy(error) && !db.inTransaction && Date.now() < deadline) {
          await sleep(Math.min(delay + Math.random() * delay, Math.max(1, deadline - Date.now())));
          delay = Math.min(delay * 2, 40);
          continue;
        }
        throw toStorageError(error, operation, this.#location);
      }
    }
  }

  #statement(key: string, db: Database.Database, build: () => string): Stmt {
    let stmt = this.#dynamic.get(key);
    if (!stmt) {
      if (this.#dynamic.size >= STATEMENT_CACHE_LIMIT) this.#dynamic.clear();
      stmt = db.prepare<unknown[], Row>(build()).safeIntegers(false);
      this.#dynamic.set(key, stmt);
    }
    return stmt;
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
    await this.#run('add', (db, s) => {
      let current: NewTask | undefined;
      const insert = db.transaction(() => {
        for (const task of tasks) {
          current = task;
          s.insertTask.run(taskToParams(task));
          if (audit) s.insertStatusAudit.run(task.id, task.status, task.createdAt, null);
        }
      });
      try {
        insert.immediate();
      } catch (error) {
        const code = sqliteCode(error);
        if (code === 'SQLITE_CONSTRAINT_UNIQUE' && current?.taskKey != null && /task_key/.test(String(error))) {
          throw new TaskKeyConflictError(current.taskKey, { cause: error });
        }
        if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' && current) {
          throw new StorageError(
            `SQLite storage (${this.#location}): add failed: a task with id ${current.id} already exists; nothing was added.`,
            { cause: error },
          );
        }
        throw error;
      }
    });
  }

  async get(id: string): Promise<StoredTask | undefined> {
    validateId(id, 'id');
    return this.#run('get', (_db, s) => {
      const row = s.get.get(id);
      return row ? rowToTask(row) : undefined;
    });
  }

  async getByTaskKey(taskKey: string): Promise<StoredTask | undefined> {
    validateString(taskKey, 'taskKey');
    return this.#run('getByTaskKey', (_db, s) => {
      const row = s.getByKey.get(taskKey);
      return row ? rowToTask(row) : undefined;
    });
  }

  async update(id: string, patch: TaskPatch, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    validateId(id, 'id');
    const fields = validatePatch(patch, 'patch');
    if (ifStatus !== undefined) {
      validateStatuses(ifStatus, 'ifStatus');
      if (ifStatus.length === 0) return false;
    }
    const guard = ifStatus === undefined ? 0 : ifStatus.length;
    const key = `u|${fields.join(',')}|${guard}`;
    return this.#run('update', (db) => {
      const stmt = this.#statement(key, db, () => {
        const sets = fields.map((f) => `${PATCH_COLUMNS[f]} = ?`);
        const where = guard > 0 ? ` AND status IN (${Array(guard).fill('?').join(', ')})` : '';
        return sets.length > 0
          ? `UPDATE ${this.#t.tasks} SET ${sets.join(', ')} WHERE id = ?${where} RETURNING id`
          : `SELECT id FROM ${this.#t.tasks} WHERE id = ?${where}`;
      });
      const params: SqlValue[] = fields.map((f) => toSqlValue(patch[f]));
      params.push(id);
      if (ifStatus) params.push(...ifStatus);
      return stmt.get(params) !== undefined;
    });
  }

  async remove(id: string): Promise<boolean> {
    validateId(id, 'id');
    return this.#run('remove', (_db, s) => s.remove.run(id).changes > 0);
  }

  async transition(changes: readonly TaskTransition[]): Promise<boolean[]> {
    if (!Array.isArray(changes)) throw invalid('changes', changes, 'an array of transitions');
    const prepared = changes.map((change: unknown, i) => ({
      change: change as TaskTransition,
      fields: validateTransition(change, `changes[${i}]`),
    }));
    if (prepared.length === 0) return [];
    return this.#run('transition', (db, s) => {
      const apply = db.transaction(() => {
        const applied: boolean[] = [];
        for (const { change, fields } of prepared) {
          if (change.from.length === 0) {
            applied.push(false);
            continue;
          }
          const owner = change.owner !== undefined;
          const key = `t|${fields.join(',')}|${change.from.length}|${owner ? 1 : 0}`;
          const stmt = this.#statement(key, db, () => {
            const sets = ['status = ?', 'updated_at = ?', ...fields.map((f) => `${PATCH_COLUMNS[f]} = ?`)];
            return (
              `UPDATE ${this.#t.tasks} SET ${sets.join(', ')} WHERE id = ? ` +
              `AND status IN (${change.from.map(() => '?').join(', ')})${owner ? ' AND lease_owner = ?' : ''} RETURNING id`
            );
          });
          const params: SqlValue[] = [change.to, change.at];
          for (const f of fields) params.push(toSqlValue(change.patch?.[f]));
          params.push(change.id, ...change.from);
          if (owner) params.push(toSqlValue(change.owner));
          const ok = stmt.get(params) !== undefined;
          applied.push(ok);
          if (!ok) continue;
          if (change.priorAudits) for (const a of change.priorAudits) s.insertStatusAudit.run(change.id, a.status, a.at, a.error ?? null);
          if (change.audit) s.insertStatusAudit.run(change.id, change.to, change.at, change.audit.error ?? null);
          if (change.runAudit) {
            const r = change.runAudit;
            s.insertRunAudit.run(change.id, r.at, r.status, r.executionTimeMs, r.error ?? null);
          }
          if (change.logs) for (const log of change.logs) this.#insertLog(s, change.id, log);
        }
        return applied;
      });
      return apply.immediate();
    });
  }

  #insertLog(s: Statements, taskId: string, log: ExecutionLogEntry): void {
    s.insertLog.run(log.id, taskId, log.at, log.level, log.message, log.exception ?? null, log.sequence);
  }

  // ---- work distribution ---------------------------------------------------------------------------

  async claimDue(request: ClaimRequest): Promise<StoredTask[]> {
    const { owner, now, limit, leaseMs, queues } = validateClaim(request);
    if (limit === 0 || queues?.length === 0) return [];
    const queueJson = queues === undefined ? undefined : JSON.stringify(queues);
    return this.#run('claimDue', (db, s) => {
      const claim = db.transaction(() => {
        const candidates = (
          queueJson === undefined
            ? s.claimCandidates.all({ now, limit })
            : s.claimCandidatesInQueues.all({ now, limit, queues: queueJson })
        ) as { id: string }[];
        if (candidates.length === 0) return [];
        const order = new Map<string, number>();
        candidates.forEach((c, i) => order.set(c.id, i));
        const rows = s.claimUpdate.all(owner, now + leaseMs, now, JSON.stringify(candidates.map((c) => c.id)));
        return rows.map(rowToTask).sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
      });
      // BEGIN IMMEDIATE: the write lock is taken before the candidates are read, so two processes
      // never pick the same rows.
      return claim.immediate();
    });
  }

  async renewLeases(owner: string, now: number, leaseMs: number, ids?: readonly string[]): Promise<number> {
    validateString(owner, 'owner');
    validateTime(now, 'now');
    validateLeaseMs(leaseMs, 'leaseMs');
    if (ids === undefined) return this.#run('renewLeases', (_db, s) => s.renew.run(now + leaseMs, owner).changes);
    if (!Array.isArray(ids)) throw invalid('ids', ids, 'an array of task ids');
    ids.forEach((id: unknown, i) => validateString(id, `ids[${i}]`));
    const list = JSON.stringify(ids);
    return this.#run('renewLeases', (_db, s) => s.renewIds.run(now + leaseMs, owner, list).changes);
  }

  // ---- instance registry ---------------------------------------------------------------------------

  async heartbeatInstance(instance: InstanceRecord): Promise<void> {
    const r = checkInstanceRecord(instance, 'heartbeatInstance');
    const queues = JSON.stringify(r.queues);
    await this.#run('heartbeatInstance', (db, s) =>
      db
        .transaction(() => {
          s.upsertInstance.run(r.id, r.hostname, r.pid, r.startedAt, r.heartbeatAt, r.expiresAt, queues);
          s.purgeInstances.run(r.heartbeatAt - INSTANCE_RECORD_RETENTION_MS, r.id);
        })
        .immediate(),
    );
  }

  async removeInstance(id: string): Promise<void> {
    checkInstanceId(id, 'removeInstance');
    await this.#run('removeInstance', (_db, s) => s.removeInstance.run(id));
  }

  async listInstances(): Promise<InstanceRecord[]> {
    return this.#run('listInstances', (_db, s) => s.listInstances.all().map((row) => rowToInstance(row as Record<string, unknown>)));
  }

  async nextDueAt(queues?: readonly string[]): Promise<number | undefined> {
    validateQueues(queues, 'queues');
    if (queues?.length === 0) return undefined;
    return this.#run('nextDueAt', (_db, s) => {
      const row =
        queues === undefined
          ? (s.nextDue.get() as { k: number | null })
          : (s.nextDueInQueues.get(JSON.stringify(queues), JSON.stringify(queues)) as { k: number | null });
      return row.k ?? undefined;
    });
  }

  // ---- queries ---------------------------------------------------------------------------------------

  async pending(after: PendingCursor | undefined, limit: number): Promise<StoredTask[]> {
    validateCursor(after);
    validateCount(limit, 'limit');
    if (limit === 0) return [];
    return this.#run('pending', (_db, s) => {
      const rows = after === undefined ? s.pendingFirst.all(limit) : s.pendingAfter.all(after.createdAt, after.id, limit);
      return rows.map(rowToTask);
    });
  }

  async scheduled(until: number, limit: number): Promise<StoredTask[]> {
    validateTime(until, 'until');
    validateCount(limit, 'limit');
    if (limit === 0) return [];
    return this.#run('scheduled', (_db, s) => s.scheduled.all(until, limit).map(rowToTask));
  }

  /** Builds the WHERE clause of a (validated) filter: a shape key for the statement cache, SQL and parameters. */
  #where(filter: TaskFilter): { key: string; sql: string; params: SqlValue[] } {
    const parts: string[] = [];
    const params: SqlValue[] = [];
    const key: string[] = [];
    const add = (shape: string, sql: string, ...values: SqlValue[]): void => {
      key.push(shape);
      parts.push(sql);
      params.push(...values);
    };
    if (filter.ids !== undefined) add('i', 'id IN (SELECT value FROM json_each(?))', JSON.stringify(filter.ids));
    if (filter.statuses?.length === 1) {
      // One status: an equality the (status, created_at, id) index can serve in order.
      add('s1', 'status = ?', filter.statuses[0] as string);
    } else if (filter.statuses !== undefined) {
      add('s', 'status IN (SELECT value FROM json_each(?))', JSON.stringify(filter.statuses));
    }
    if (filter.name !== undefined) add('n', 'name = ?', filter.name);
    if (filter.nameContains !== undefined) add('nc', 'evertask_icontains(name, ?)', filter.nameContains);
    if (filter.queue !== undefined) add('q', 'queue = ?', filter.queue);
    if (filter.taskKey !== undefined) add('k', 'task_key = ?', filter.taskKey);
    if (filter.recurring !== undefined) {
      add(filter.recurring ? 'r1' : 'r0', filter.recurring ? 'recurring IS NOT NULL' : 'recurring IS NULL');
    }
    // createdAfter is inclusive, createdBefore exclusive: adjacent windows never count a task twice.
    if (filter.createdAfter !== undefined) add('ca', 'created_at >= ?', filter.createdAfter);
    if (filter.createdBefore !== undefined) add('cb', 'created_at < ?', filter.createdBefore);
    if (filter.search !== undefined) {
      add('x', '(evertask_icontains(name, ?) OR evertask_icontains(task_key, ?))', filter.search, filter.search);
    }
    return { key: key.join(','), sql: parts.length > 0 ? ` WHERE ${parts.join(' AND ')}` : '', params };
  }

  async query(filter: TaskFilter, page?: TaskPage): Promise<TaskQueryResult> {
    const where = this.#where(validateFilter(filter));
    const { offset, limit, sortBy, descending } = resolvePage(page);
    const column = SORT_COLUMNS[sortBy];
    const direction = descending ? 'DESC' : 'ASC';
    return this.#run('query', (db) => {
      const read = db.transaction(() => {
        const countStmt = this.#statement(`qc|${where.key}`, db, () => `SELECT COUNT(*) AS n FROM ${this.#t.tasks}${where.sql}`);
        const total = (countStmt.get(where.params) as { n: number }).n;
        if (limit === 0 || total <= offset) return { items: [], total };
        // Nulls last in both directions (SQLite puts them last only when descending), ties broken by
        // id in the same direction. The page is chosen on ids alone (small sort rows, often an index
        // walk), then its rows are read by primary key.
        const nullsLast = !descending && (sortBy === 'dueAt' || sortBy === 'lastExecutionAt') ? ' NULLS LAST' : '';
        const pageStmt = this.#statement(
          `qp|${where.key}|${column}|${direction}${nullsLast}`,
          db,
          () =>
            `SELECT id FROM ${this.#t.tasks}${where.sql} ORDER BY ${column} ${direction}${nullsLast}, id ${direction} LIMIT ? OFFSET ?`,
        );
        const pageIds = pageStmt.all([...where.params, limit, offset]).map((row) => row['id'] as string);
        const position = new Map(pageIds.map((id, i) => [id, i]));
        const rowsStmt = this.#statement(
          'qr',
          db,
          () => `SELECT * FROM ${this.#t.tasks} WHERE id IN (SELECT value FROM json_each(?))`,
        );
        const items = rowsStmt
          .all(JSON.stringify(pageIds))
          .map(rowToTask)
          .sort((a, b) => (position.get(a.id) ?? 0) - (position.get(b.id) ?? 0));
        return { items, total };
      });
      // One read transaction: the page and its total come from the same snapshot.
      return read.deferred();
    });
  }

  async count(filter: TaskFilter = {}): Promise<StatusCount[]> {
    const where = this.#where(validateFilter(filter));
    return this.#run('count', (db) => {
      const stmt = this.#statement(
        `c|${where.key}`,
        db,
        () =>
          `SELECT queue, status, COUNT(*) AS n FROM ${this.#t.tasks}${where.sql} GROUP BY queue, status ORDER BY queue, status`,
      );
      return stmt.all(where.params).map((row) => {
        const status = row['status'];
        if (typeof status !== 'string' || !STATUS_SET.has(status)) {
          throw new StorageError(
            `SQLite storage (${this.#location}): a task row has an invalid value in column "status": ${JSON.stringify(status)}. ` +
              `Find it with SELECT id FROM ${this.#t.tasks} WHERE status = ${JSON.stringify(status)}; fix or delete it.`,
          );
        }
        return { queue: String(row['queue']), status: status as TaskStatus, count: Number(row['n']) };
      });
    });
  }

  // ---- history -------------------------------------------------------------------------------------

  async getStatusAudit(taskId: string): Promise<StatusAuditEntry[]> {
    validateId(taskId, 'taskId');
    return this.#run('getStatusAudit', (_db, s) => s.statusAudit.all(taskId).map(rowToStatusAudit));
  }

  async getRunAudit(taskId: string): Promise<RunAuditEntry[]> {
    validateId(taskId, 'taskId');
    return this.#run('getRunAudit', (_db, s) => s.runAudit.all(taskId).map(rowToRunAudit));
  }

  async saveExecutionLogs(taskId: string, logs: readonly ExecutionLogEntry[]): Promise<void> {
    validateId(taskId, 'taskId');
    validateLogs(logs, 'logs');
    if (logs.length === 0) return;
    await this.#run('saveExecutionLogs', (db, s) => {
      const save = db.transaction(() => {
        if (s.exists.get(taskId) === undefined) {
          throw new StorageError(`SQLite storage (${this.#location}): cannot save logs of unknown task "${taskId}".`);
        }
        for (const log of logs) this.#insertLog(s, taskId, log);
      });
      save.immediate();
    });
  }

  async getExecutionLogs(taskId: string, skip = 0, take = 1000): Promise<ExecutionLogEntry[]> {
    validateId(taskId, 'taskId');
    validateCount(skip, 'skip');
    validateCount(take, 'take');
    if (take === 0) return [];
    return this.#run('getExecutionLogs', (_db, s) => s.logs.all(taskId, take, skip).map(rowToLog));
  }

  async countExecutionLogs(taskId: string): Promise<number> {
    validateId(taskId, 'taskId');
    return this.#run('countExecutionLogs', (_db, s) => (s.countLogs.get(taskId) as { n: number }).n);
  }

  // ---- maintenance ---------------------------------------------------------------------------------

  async cleanup(policy: RetentionPolicy): Promise<RetentionResult> {
    if (typeof policy !== 'object' || policy === null) throw invalid('policy', policy, 'an object');
    for (const key of ['completedBefore', 'failedBefore', 'auditBefore', 'logsBefore'] as const) {
      if (policy[key] !== undefined) validateTime(policy[key], `policy.${key}`);
    }
    const result: RetentionResult = { tasks: 0, audits: 0, logs: 0 };
    // History first, then tasks: rows removed with their task (cascade) are not counted as audits or logs.
    const steps: [number | undefined, keyof RetentionResult, keyof Statements][] = [
      [policy.auditBefore, 'audits', 'cleanupStatusAudit'],
      [policy.auditBefore, 'audits', 'cleanupRunAudit'],
      [policy.logsBefore, 'logs', 'cleanupLogs'],
      [policy.completedBefore, 'tasks', 'cleanupCompleted'],
      [policy.failedBefore, 'tasks', 'cleanupFailed'],
    ];
    for (const [cutoff, counter, name] of steps) {
      if (cutoff === undefined) continue;
      // Deleted in chunks, each its own short transaction, yielding between chunks so neither this
      // event loop nor other processes wait for one long delete.
      for (;;) {
        const deleted = await this.#run('cleanup', (db, s) => {
          const chunk = db.transaction(() => s[name].run(cutoff).changes);
          return chunk.immediate();
        });
        result[counter] += deleted;
        if (deleted < CLEANUP_CHUNK) break;
        await yieldToEventLoop();
      }
    }
    return result;
  }
}
