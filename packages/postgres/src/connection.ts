import { createHash } from 'node:crypto';
import pg from 'pg';
import type { ClientConfig, Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { EverTaskError } from 'evertask';
import { toStorageError } from './postgres-errors.js';

/** The error listener of a checked-out client (see `PostgresConnection.transaction`). */
function ignoreDrop(): void {}

/** Anything that runs a query: a pool, a pooled client, or the user's transaction client. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(config: QueryConfig): Promise<QueryResult<R>>;
}

/** Whether `value` can run a query (a `pg.Pool`, `pg.PoolClient` or `pg.Client`). */
export function isQueryable(value: unknown): value is Queryable {
  return typeof value === 'object' && value !== null && typeof (value as Queryable).query === 'function';
}

/** How the storage reaches its database (already validated, see `resolvePostgresOptions`). */
export interface PostgresConnectionOptions {
  /** The URL to create an owned pool from; undefined when `pool` is given. */
  connectionString: string | undefined;
  /** A pool the caller owns: borrowed, never ended. */
  pool: Pool | undefined;
  /** Size of an owned pool. */
  max: number;
  /** Send the hot statements as named prepared statements. */
  preparedStatements: boolean;
  /** The schema, which keeps statement names of two schemas apart on one connection. */
  schema: string;
}

/**
 * The storage's pool: creates and ends it when built from a connection string, borrows it (and
 * never ends it) when handed one. Runs statements with driver errors wrapped as `StorageError`s
 * naming the operation (transient ones marked so the engine retries them), and transactions on
 * one pooled client.
 */
export class PostgresConnection {
  readonly #connectionString: string | undefined;
  readonly #ownsPool: boolean;
  readonly #max: number;
  readonly #preparedStatements: boolean;
  readonly #statementPrefix: string;
  #pool: Pool;

  constructor(options: PostgresConnectionOptions) {
    this.#connectionString = options.connectionString;
    this.#ownsPool = options.pool === undefined;
    this.#max = options.max;
    this.#preparedStatements = options.preparedStatements;
    this.#statementPrefix = `evertask_${createHash('sha1').update(options.schema).digest('hex').slice(0, 10)}_`;
    this.#pool = options.pool ?? this.#createPool();
  }

  /** The pool statements run on. */
  get pool(): Pool {
    return this.#pool;
  }

  #createPool(): Pool {
    const pool = new pg.Pool({ connectionString: this.#connectionString, max: this.#max, keepAlive: true });
    // An idle client whose connection drops emits 'error' on the pool; unhandled, it would crash
    // the process. The next query on a fresh client surfaces the problem as a StorageError.
    pool.on('error', () => undefined);
    return pool;
  }

  /** After `end()`: a fresh pool when the storage owns it (a handed pool is used as it is). */
  reopen(): void {
    if (this.#ownsPool) this.#pool = this.#createPool();
  }

  /** Ends the pool when the storage created it; a pool it was handed stays open. */
  async end(): Promise<void> {
    if (this.#ownsPool) await this.#pool.end().catch(() => undefined);
  }

  /** A query config, named (prepared per connection) when prepared statements are on. */
  statement(name: string, text: string, values: unknown[]): QueryConfig {
    return this.#preparedStatements ? { name: this.#statementPrefix + name, text, values } : { text, values };
  }

  /** Runs one statement (on the pool unless `db` is given), wrapping a driver error. */
  async run<R extends QueryResultRow>(operation: string, config: QueryConfig, db: Queryable = this.#pool): Promise<QueryResult<R>> {
    try {
      return await db.query<R>(config);
    } catch (error) {
      throw toStorageError(operation, error);
    }
  }

  /** Runs `fn` on one pooled client inside BEGIN/COMMIT (ROLLBACK on error). */
  async transaction<T>(operation: string, fn: (client: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw toStorageError(operation, error);
    }
    // A checked-out client has no error listener (the pool's is for idle ones), and pg emits
    // 'error' on a dropped connection even while a statement runs: unhandled, that event would
    // crash the process. The statement that meets the drop rejects and reports it.
    client.on('error', ignoreDrop);
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
      client.off('error', ignoreDrop);
      client.release(broken instanceof Error ? broken : broken === undefined ? undefined : true);
    }
  }

  /** Settings of a dedicated connection (the LISTEN one) to the same database as the pool. */
  dedicatedClientConfig(): ClientConfig {
    if (this.#connectionString !== undefined) return { connectionString: this.#connectionString };
    const { max: _max, min: _min, idleTimeoutMillis: _idle, Client: _client, log: _log, ...rest } = this.#pool.options as pg.PoolConfig;
    return rest as ClientConfig;
  }
}

/** What every group of statements (`queries/`) works with. */
export interface QueryContext {
  readonly connection: PostgresConnection;
  /** The schema name, for messages. */
  readonly schema: string;
  /** The schema as a quoted identifier, for statement text (`"evertask"`). */
  readonly quotedSchema: string;
}
