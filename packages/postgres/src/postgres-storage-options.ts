import type { Pool } from 'pg';
import { InvalidArgumentError } from 'evertask';
import { isQueryable } from './connection.js';
import { describeValue } from 'evertask/storage-kit';

/** Options shared by both ways of connecting. */
export interface PostgresStorageCommonOptions {
  /**
   * Schema that holds the EverTask tables. Must be a lowercase SQL identifier
   * (`/^[a-z_][a-z0-9_]{0,62}$/`); it is created by the migrations when missing. Give each
   * application (or each test file) its own schema to keep their tasks apart.
   * @defaultValue `'evertask'`
   */
  schema?: string;
  /**
   * Create or upgrade the schema on `open()`. Migrations run under a transaction-scoped advisory
   * lock, so several processes starting together migrate once. With `false`, `open()` only checks
   * that the schema is at the version this package needs and throws a clear error otherwise
   * (apply the SQL from `postgresMigrationSql()` yourself, e.g. with `evertask migrate`).
   * @defaultValue `true`
   */
  migrate?: boolean;
  /**
   * Cross-process wake-ups with LISTEN/NOTIFY: `add` of a waiting task and `notify()` send a
   * notification on commit, and `subscribe()` listens on one dedicated connection (outside the
   * pool). Turn off behind a transaction-pooling PgBouncer, which cannot LISTEN; the engine then
   * relies on its safety sweep.
   * @defaultValue `true`
   */
  notifications?: boolean;
  /**
   * Use named prepared statements for the hot queries (claim, transition, add, lease renewal), so
   * PostgreSQL parses and plans them once per connection. Turn off behind PgBouncer in
   * transaction-pooling mode older than 1.21.
   * @defaultValue `true`
   */
  preparedStatements?: boolean;
  /**
   * Most rows one `add` statement inserts; larger batches are split into chunks of this size and
   * written in one transaction (still all or none).
   * @defaultValue `5000`
   */
  addChunkSize?: number;
  /**
   * Delay before the first reconnect of the LISTEN connection after it dropped; it doubles per
   * failed attempt up to `listenerMaxBackoffMs` (with jitter).
   * @defaultValue `100`
   */
  listenerInitialBackoffMs?: number;
  /**
   * Longest delay between reconnect attempts of the LISTEN connection.
   * @defaultValue `5000`
   */
  listenerMaxBackoffMs?: number;
}

/** Connect with a connection string: the storage creates, owns and closes its `pg.Pool`. */
export interface PostgresConnectionStringOptions extends PostgresStorageCommonOptions {
  /** A libpq-style URL, e.g. `postgres://user:password@host:5432/database`. */
  connectionString: string;
  /**
   * Size of the pool the storage creates.
   * @defaultValue `10`
   */
  max?: number;
  pool?: never;
}

/** Use an existing `pg.Pool`: the storage borrows clients from it and never closes it. */
export interface PostgresPoolOptions extends PostgresStorageCommonOptions {
  /**
   * The pool to use. The storage does not end it in `close()`. For notifications the storage opens
   * one extra dedicated connection with the pool's connection settings (`pool.options`).
   */
  pool: Pool;
  connectionString?: never;
  max?: never;
}

/** Options of `new PostgresStorage(...)`: a connection string or a pool, plus tuning. */
export type PostgresStorageOptions = PostgresConnectionStringOptions | PostgresPoolOptions;

/** Options with every default applied (resolved in one place). */
export interface ResolvedPostgresStorageOptions {
  /** The URL the storage creates its own pool from, or undefined when it was handed a pool. */
  connectionString: string | undefined;
  /** The pool the storage was handed (never closed by it), or undefined with a connection string. */
  pool: Pool | undefined;
  schema: string;
  migrate: boolean;
  notifications: boolean;
  preparedStatements: boolean;
  addChunkSize: number;
  listenerInitialBackoffMs: number;
  listenerMaxBackoffMs: number;
  max: number;
}

/** The default of every option. */
export const POSTGRES_DEFAULTS = {
  schema: 'evertask',
  migrate: true,
  notifications: true,
  preparedStatements: true,
  addChunkSize: 5000,
  listenerInitialBackoffMs: 100,
  listenerMaxBackoffMs: 5000,
  max: 10,
} as const satisfies Omit<ResolvedPostgresStorageOptions, 'connectionString' | 'pool'>;

/** Schema names the storage accepts: a lowercase, unquoted-safe SQL identifier. */
export const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** Throws `InvalidArgumentError` unless `schema` is a lowercase SQL identifier. */
export function validateSchemaName(schema: unknown): string {
  if (typeof schema !== 'string' || !SCHEMA_PATTERN.test(schema)) {
    throw new InvalidArgumentError(
      `PostgresStorage option "schema" must be a lowercase SQL identifier matching ${String(SCHEMA_PATTERN)} ` +
        `(letters a-z, digits and "_", not starting with a digit, at most 63 characters); received ${describeValue(schema)}. ` +
        `Use e.g. "evertask" or "evertask_billing".`,
    );
  }
  return schema;
}

/** Quotes a validated schema name as an identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Refuses a connection string that pg would not read as a URL: pg falls back to reading it as a
 * host named "base", which then fails as a transient-looking `ENOTFOUND base`. A socket path
 * (starting with `/`) passes. The message never repeats the string, which may hold a password.
 */
function checkConnectionUrl(url: string): void {
  if (url.startsWith('/')) return;
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

/**
 * Checks the options of `new PostgresStorage(...)` and applies the defaults; throws
 * `InvalidArgumentError` naming the bad option and what it accepts.
 */
export function resolvePostgresOptions(options: PostgresStorageOptions): ResolvedPostgresStorageOptions {
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
      `PostgresStorage option "connectionString" must be a non-empty string such as "postgres://user@host:5432/db"; received ${describeValue(options.connectionString)}.`,
    );
  }
  if (hasUrl) checkConnectionUrl(options.connectionString as string);
  if (hasPool && !isQueryable(options.pool)) {
    throw new InvalidArgumentError('PostgresStorage option "pool" must be a pg.Pool (something with query() and connect()).');
  }
  if (hasPool && options.max !== undefined) {
    throw new InvalidArgumentError('PostgresStorage option "max" only applies with "connectionString"; size your own pool instead.');
  }
  const schema = validateSchemaName(options.schema ?? POSTGRES_DEFAULTS.schema);
  const bool = (key: 'migrate' | 'notifications' | 'preparedStatements'): boolean => {
    const value = options[key] ?? POSTGRES_DEFAULTS[key];
    if (typeof value !== 'boolean') {
      throw new InvalidArgumentError(`PostgresStorage option "${key}" must be true or false; received ${describeValue(value)}.`);
    }
    return value;
  };
  const int = (key: 'addChunkSize' | 'listenerInitialBackoffMs' | 'listenerMaxBackoffMs' | 'max', min: number): number => {
    const value = options[key] ?? POSTGRES_DEFAULTS[key];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      throw new InvalidArgumentError(`PostgresStorage option "${key}" must be an integer >= ${min}; received ${describeValue(value)}.`);
    }
    return value;
  };
  return {
    connectionString: options.connectionString,
    pool: hasPool ? (options.pool as Pool) : undefined,
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
