import type { Pool } from 'mysql2/promise';
import { InvalidArgumentError } from 'evertask';
import { describeConnectionString, describeValue } from 'evertask/storage-kit';

/** Options shared by both ways of connecting. */
export interface MySqlStorageCommonOptions {
  /**
   * Prefix of the EverTask tables in the connection's database (`evertask_tasks`,
   * `evertask_status_audit`…). Give each application (or each test) its own prefix to keep their
   * tasks apart in one database. Lowercase letters, digits and `_`, starting with a letter, at most
   * 32 characters.
   * @defaultValue `'evertask_'`
   */
  tablePrefix?: string;
  /**
   * Create or upgrade the tables on `open()`. Migrations run under a named lock (`GET_LOCK`), so
   * several processes starting together migrate once. With `false`, `open()` only checks that the
   * tables are at the version this package needs and throws a clear error otherwise (apply the SQL
   * of `mysqlMigrationSql()` yourself, e.g. with `evertask migrate --mysql`).
   * @defaultValue `true`
   */
  migrate?: boolean;
  /**
   * Most rows one `add` statement inserts; larger batches are split into chunks of this size and
   * written in one transaction (still all or none).
   * @defaultValue `1000`
   */
  addChunkSize?: number;
  /**
   * How many times an operation is retried after a deadlock (1213), a lock wait timeout (1205) or a
   * connection that could not be opened, with exponential backoff and jitter. After the last try
   * the error is thrown as a transient `StorageError` (the engine retries it later).
   * @defaultValue `4`
   */
  transientRetries?: number;
  /**
   * Delay before the first retry of a transient error; it doubles per retry (with jitter).
   * @defaultValue `20`
   */
  retryInitialBackoffMs?: number;
}

/** Connect with a URI: the storage creates, owns and closes its `mysql2` pool. */
export interface MySqlUriOptions extends MySqlStorageCommonOptions {
  /** A `mysql://user:password@host:3306/database` URI; the database must exist. */
  uri: string;
  /**
   * Size of the pool the storage creates.
   * @defaultValue `10`
   */
  connectionLimit?: number;
  pool?: never;
}

/**
 * Use an existing `mysql2/promise` pool: the storage borrows connections from it and never ends
 * it. With `multipleStatements: true` in the pool's options, `add` with audit rows, `transition`
 * and `cleanup` send their statements in one round trip; without it, one statement after another
 * in one transaction.
 */
export interface MySqlPoolOptions extends MySqlStorageCommonOptions {
  /** The pool to use (from `mysql2/promise`'s `createPool`). The storage does not end it in `close()`. */
  pool: Pool;
  uri?: never;
  connectionLimit?: never;
}

/** Options of `new MySqlStorage(...)`: a URI or a pool, plus tuning. */
export type MySqlStorageOptions = MySqlUriOptions | MySqlPoolOptions;

/** Options with every default applied (resolved in one place). */
export interface ResolvedMySqlStorageOptions {
  /** The URI the storage creates its own pool from, or undefined when it was handed a pool. */
  uri: string | undefined;
  /** The pool the storage was handed (never ended by it), or undefined with a URI. */
  pool: Pool | undefined;
  tablePrefix: string;
  migrate: boolean;
  addChunkSize: number;
  transientRetries: number;
  retryInitialBackoffMs: number;
  connectionLimit: number;
}

/** The default of every option. */
export const MYSQL_DEFAULTS = {
  tablePrefix: 'evertask_',
  migrate: true,
  addChunkSize: 1000,
  transientRetries: 4,
  retryInitialBackoffMs: 20,
  connectionLimit: 10,
} as const satisfies Omit<ResolvedMySqlStorageOptions, 'uri' | 'pool'>;

/** Table prefixes the storage accepts. */
export const TABLE_PREFIX_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;

/** Throws `InvalidArgumentError` unless `prefix` is a valid table prefix. */
export function checkTablePrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || !TABLE_PREFIX_PATTERN.test(prefix)) {
    throw new InvalidArgumentError(
      `MySqlStorage option "tablePrefix" must match ${String(TABLE_PREFIX_PATTERN)} (lowercase letters, digits and "_", ` +
        `starting with a letter, at most 32 characters); received ${describeValue(prefix)}. Use e.g. "evertask_" or "billing_tasks_".`,
    );
  }
  return prefix;
}

function isPool(value: unknown): value is Pool {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Pool).query === 'function' &&
    typeof (value as Pool).getConnection === 'function'
  );
}

/**
 * Checks the options of `new MySqlStorage(...)` and applies the defaults; throws
 * `InvalidArgumentError` naming the bad option and what it accepts.
 */
export function resolveMySqlOptions(options: MySqlStorageOptions): ResolvedMySqlStorageOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('MySqlStorage needs an options object: { uri } or { pool }, optionally with { tablePrefix }.');
  }
  const hasUri = options.uri !== undefined;
  const hasPool = options.pool !== undefined;
  if (hasUri === hasPool) {
    throw new InvalidArgumentError(
      'MySqlStorage needs exactly one of "uri" (the storage creates and ends a pool) or "pool" ' +
        '(an existing mysql2/promise pool the storage never ends).',
    );
  }
  if (hasUri && (typeof options.uri !== 'string' || !/^mysql:\/\//.test(options.uri))) {
    throw new InvalidArgumentError(
      `MySqlStorage option "uri" must be a string such as "mysql://user:password@host:3306/database"; received ${describeConnectionString(options.uri)}.`,
    );
  }
  if (hasPool && !isPool(options.pool)) {
    throw new InvalidArgumentError(
      'MySqlStorage option "pool" must be a pool from mysql2/promise (createPool from "mysql2/promise", not the callback API of "mysql2").',
    );
  }
  if (hasPool && options.connectionLimit !== undefined) {
    throw new InvalidArgumentError('MySqlStorage option "connectionLimit" only applies with "uri"; size your own pool instead.');
  }
  const migrate = options.migrate ?? MYSQL_DEFAULTS.migrate;
  if (typeof migrate !== 'boolean') {
    throw new InvalidArgumentError(`MySqlStorage option "migrate" must be true or false; received ${describeValue(migrate)}.`);
  }
  const int = (key: 'addChunkSize' | 'transientRetries' | 'retryInitialBackoffMs' | 'connectionLimit', min: number): number => {
    const value = options[key] ?? MYSQL_DEFAULTS[key];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      throw new InvalidArgumentError(`MySqlStorage option "${key}" must be an integer >= ${min}; received ${describeValue(value)}.`);
    }
    return value;
  };
  return {
    uri: options.uri,
    pool: hasPool ? (options.pool as Pool) : undefined,
    tablePrefix: checkTablePrefix(options.tablePrefix ?? MYSQL_DEFAULTS.tablePrefix),
    migrate,
    addChunkSize: int('addChunkSize', 1),
    transientRetries: int('transientRetries', 0),
    retryInitialBackoffMs: int('retryInitialBackoffMs', 1),
    connectionLimit: int('connectionLimit', 1),
  };
}
