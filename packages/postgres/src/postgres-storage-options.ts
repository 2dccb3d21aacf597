import type { Pool } from 'pg';

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
  schema: string;
  migrate: boolean;
  notifications: boolean;
  preparedStatements: boolean;
  addChunkSize: number;
  listenerInitialBackoffMs: number;
  listenerMaxBackoffMs: number;
  max: number;
}

export const POSTGRES_DEFAULTS = {
  schema: 'evertask',
  migrate: true,
  notifications: true,
  preparedStatements: true,
  addChunkSize: 5000,
  listenerInitialBackoffMs: 100,
  listenerMaxBackoffMs: 5000,
  max: 10,
} as const satisfies ResolvedPostgresStorageOptions;
