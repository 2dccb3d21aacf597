import type BetterSqlite3 from 'better-sqlite3';
import { InvalidArgumentError } from 'evertask';
import { describeValue } from 'evertask/storage-kit';

/** Options shared by both ways of pointing `SqliteStorage` at a database. */
export interface SqliteStorageTuning {
  /**
   * Apply the versioned schema migrations on `open()`. With `false`, `open()` only checks that the
   * schema is present and current, and throws a `StorageError` saying what to do when it is not
   * (useful when migrations are run by a deployment step).
   * @defaultValue `true`
   */
  migrate?: boolean;
  /**
   * How long an operation waits, in total, for a write lock held by another connection or process
   * before it fails with a transient `StorageError`. The wait is spent mostly in asynchronous
   * back-off, so the event loop stays responsive while another process holds the lock.
   * @defaultValue `5000`
   */
  busyTimeoutMs?: number;
  /**
   * SQLite's `synchronous` setting (the database always runs in WAL mode).
   * - `'normal'`: a committed write survives a crash of the process; on a power loss or an
   *   operating-system crash the last few transactions may be lost (the database stays consistent).
   * - `'full'`: every commit is flushed to the disk before it returns; survives power loss too, at
   *   the cost of one fsync per transaction.
   * @defaultValue `'normal'`
   */
  synchronous?: 'normal' | 'full';
  /**
   * Prefix of every table this storage creates (`<prefix>tasks`, `<prefix>status_audit`,
   * `<prefix>run_audit`, `<prefix>execution_logs`, `<prefix>migrations`). Letters, digits and
   * underscores, starting with a letter or underscore, at most 40 characters. Use a different
   * prefix to keep two independent EverTask stores in one file.
   * @defaultValue `'evertask_'`
   */
  tablePrefix?: string;
}

/** Open (and own) a database file. */
export interface SqliteFileOptions extends SqliteStorageTuning {
  /**
   * Path of the database file, created when missing (its directory must exist), or `':memory:'`
   * for a private in-memory database that lives as long as the storage is open.
   */
  filename: string;
  database?: never;
}

/** Use a better-sqlite3 database the application already opened. It is never closed by the storage. */
export interface SqliteDatabaseOptions extends SqliteStorageTuning {
  /** An open better-sqlite3 (version 12) `Database`. */
  database: BetterSqlite3.Database;
  filename?: never;
}

/** Options of `new SqliteStorage(...)`: a file name or an open database, plus tuning. */
export type SqliteStorageOptions = SqliteFileOptions | SqliteDatabaseOptions;

/** The options after defaults are applied (resolved in one place). */
export interface ResolvedSqliteStorageOptions {
  filename: string | undefined;
  database: BetterSqlite3.Database | undefined;
  migrate: boolean;
  busyTimeoutMs: number;
  synchronous: 'normal' | 'full';
  tablePrefix: string;
}

/** The default of every tuning option (documented on `SqliteStorageTuning`). */
export const SQLITE_STORAGE_DEFAULTS = {
  migrate: true,
  busyTimeoutMs: 5000,
  synchronous: 'normal',
  tablePrefix: 'evertask_',
} as const;

const TABLE_PREFIX_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/;

/** Checks the options and applies the defaults; throws `InvalidArgumentError` naming the bad option. */
export function resolveOptions(options: SqliteStorageOptions): ResolvedSqliteStorageOptions {
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
        `SqliteStorage: "filename" must be a non-empty path (or ':memory:'), got ${describeValue(filename)}; ` +
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
    throw new InvalidArgumentError(`SqliteStorage: "migrate" must be true or false, got ${describeValue(migrate)}.`);
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
      `SqliteStorage: "synchronous" must be 'normal' or 'full', got ${describeValue(synchronous)}.`,
    );
  }
  const tablePrefix = options.tablePrefix ?? SQLITE_STORAGE_DEFAULTS.tablePrefix;
  if (typeof tablePrefix !== 'string' || !TABLE_PREFIX_PATTERN.test(tablePrefix)) {
    throw new InvalidArgumentError(
      `SqliteStorage: "tablePrefix" must be letters, digits and underscores, starting with a letter or underscore, ` +
        `at most 40 characters; got ${describeValue(tablePrefix)}.`,
    );
  }
  return {
    filename: database === undefined ? (filename as string) : undefined,
    database: database as BetterSqlite3.Database | undefined,
    migrate,
    busyTimeoutMs,
    synchronous,
    tablePrefix,
  };
}
