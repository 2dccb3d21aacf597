import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { EverTaskError } from 'evertask';
import { isConnectionError, isRetryableLockError, toStorageError } from './mysql-errors.js';

/** What one statement returns: rows for a SELECT, a header (affected rows) for a write. */
export type StatementResult = RowDataPacket[] | ResultSetHeader;

/** One statement with its placeholder values. */
export interface Statement {
  sql: string;
  values: unknown[];
}

/** Anything that runs a statement: the pool, one of its connections, or the user's transaction connection. */
export interface Queryable {
  query(sql: string, values?: unknown): Promise<[unknown, unknown]>;
}

/** Whether `value` can run a statement (a mysql2/promise pool, pool connection or connection). */
export function isQueryable(value: unknown): value is Queryable {
  return typeof value === 'object' && value !== null && typeof (value as Queryable).query === 'function';
}

/** How the storage reaches its database (already validated, see `resolveMySqlOptions`). */
export interface MySqlConnectionOptions {
  uri: string | undefined;
  pool: Pool | undefined;
  connectionLimit: number;
  transientRetries: number;
  retryInitialBackoffMs: number;
}

/** How an operation may be retried. */
export interface RunOptions {
  /**
   * Safe to run again after a connection was cut mid-statement (reads, claims, lease renewal,
   * upserts). Writes that are not are retried only after errors that prove nothing was written
   * (a deadlock, a lock wait timeout, a connection that never opened).
   */
  idempotent?: boolean;
}

/** The rows of a SELECT result. */
export function rowsOf(result: StatementResult | undefined): RowDataPacket[] {
  return Array.isArray(result) ? result : [];
}

/** The affected rows of a write result. */
export function affectedRows(result: StatementResult | undefined): number {
  return result !== undefined && !Array.isArray(result) ? result.affectedRows : 0;
}

/**
 * The storage's pool: creates and ends it when built from a URI, borrows it (and never ends it)
 * when handed one. Runs statements and transactions with driver errors wrapped as `StorageError`s
 * naming the operation, retrying deadlocks, lock wait timeouts and failed connects with
 * exponential backoff (and cut connections for idempotent operations). Transactions run at READ
 * COMMITTED: a claim's locking read then locks the rows it takes, not the gaps between them, so
 * it never blocks an insert.
 */
export class MySqlConnection {
  readonly #options: MySqlConnectionOptions;
  readonly #ownsPool: boolean;
  #pool: Pool;

  constructor(options: MySqlConnectionOptions) {
    this.#options = options;
    this.#ownsPool = options.pool === undefined;
    this.#pool = options.pool ?? this.#createPool();
  }

  /** The pool statements run on. */
  get pool(): Pool {
    return this.#pool;
  }

  /** Whether one `query` may carry several statements (owned pools always; a handed pool when configured so). */
  get multipleStatements(): boolean {
    const config = (this.#pool as unknown as { pool?: { config?: { connectionConfig?: { multipleStatements?: boolean } } } }).pool?.config;
    return config?.connectionConfig?.multipleStatements === true;
  }

  #createPool(): Pool {
    return mysql.createPool({
      uri: this.#options.uri,
      connectionLimit: this.#options.connectionLimit,
      multipleStatements: true,
      charset: 'utf8mb4_bin',
      timezone: 'Z',
      enableKeepAlive: true,
    });
  }

  /** After `end()`: a fresh pool when the storage owns it (a handed pool is used as it is). */
  reopen(): void {
    if (this.#ownsPool) this.#pool = this.#createPool();
  }

  /** Ends the pool when the storage created it; a pool it was handed stays open. */
  async end(): Promise<void> {
    if (this.#ownsPool) await this.#pool.end().catch(() => undefined);
  }

  /** Runs `attempt` again after retryable errors, with exponential backoff and jitter; wraps the final error. */
  async #retrying<T>(operation: string, options: RunOptions, attempt: () => Promise<T>): Promise<T> {
    let delay = this.#options.retryInitialBackoffMs;
    for (let tries = 0; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (error instanceof EverTaskError) throw error;
        const retryable =
          isRetryableLockError(error) ||
          (error instanceof ConnectFailure) ||
          (options.idempotent === true && isConnectionError(error));
        const cause = error instanceof ConnectFailure ? error.cause : error;
        if (!retryable || tries >= this.#options.transientRetries) throw toStorageError(operation, cause);
        await sleep(delay / 2 + Math.random() * delay);
        delay *= 2;
      }
    }
  }

  /** Runs one statement on the pool (or on `db`), retried as `options` allow. */
  async run(operation: string, sql: string, values: unknown[] = [], options: RunOptions = {}, db?: Queryable): Promise<StatementResult> {
    if (db !== undefined) {
      try {
        const [result] = await db.query(sql, values);
        return result as StatementResult;
      } catch (error) {
        throw toStorageError(operation, error);
      }
    }
    return this.#retrying(operation, options, async () => {
      const [result] = await this.#pool.query(sql, values);
      return result as StatementResult;
    });
  }

  /**
   * Runs `fn` on one connection inside a READ COMMITTED transaction (ROLLBACK on error), the whole
   * transaction run again after a deadlock or lock wait timeout.
   */
  async transaction<T>(operation: string, fn: (db: PoolConnection) => Promise<T>, options: RunOptions = {}): Promise<T> {
    return this.#retrying(operation, options, () =>
      this.#onConnection(async (db) => {
        await db.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
        await db.query('START TRANSACTION');
        const result = await fn(db);
        await db.query('COMMIT');
        return result;
      }),
    );
  }

  /**
   * Runs several statements as one transaction and returns each one's result: in one round trip
   * when the pool allows several statements per query, otherwise one after another on one
   * connection. Retried as a whole after a deadlock or lock wait timeout.
   */
  async script(operation: string, statements: readonly { sql: string; values: unknown[] }[], options: RunOptions = {}): Promise<StatementResult[]> {
    if (!this.multipleStatements) {
      return this.transaction(
        operation,
        async (db) => {
          const results: StatementResult[] = [];
          for (const statement of statements) results.push((await db.query(statement.sql, statement.values))[0] as StatementResult);
          return results;
        },
        options,
      );
    }
    const sql = ['SET TRANSACTION ISOLATION LEVEL READ COMMITTED', 'START TRANSACTION', ...statements.map((s) => s.sql), 'COMMIT'].join(';\n');
    const text = mysql.format(sql, statements.flatMap((s) => s.values) as never[]);
    return this.#retrying(operation, options, () =>
      this.#onConnection(async (db) => {
        const [results] = await db.query(text);
        // the results of the statements between START TRANSACTION and COMMIT
        return (results as StatementResult[]).slice(2, 2 + statements.length);
      }),
    );
  }

  /**
   * A READ COMMITTED transaction of one read and, chosen from its result, at most one write: in
   * two round trips when the pool allows several statements per query (the transaction opens with
   * the read, COMMIT goes with the write), otherwise through `transaction`. `decide` returns the
   * write (or none) and the result. Retried as a whole after a deadlock or lock wait timeout.
   */
  async readThenWrite<T>(
    operation: string,
    read: Statement,
    decide: (rows: StatementResult) => { write?: Statement; result: T },
    options: RunOptions = {},
  ): Promise<T> {
    if (!this.multipleStatements) {
      return this.transaction(
        operation,
        async (db) => {
          const { write, result } = decide((await db.query(read.sql, read.values))[0] as StatementResult);
          if (write !== undefined) await db.query(write.sql, write.values);
          return result;
        },
        options,
      );
    }
    const opening = mysql.format(`SET TRANSACTION ISOLATION LEVEL READ COMMITTED;\nSTART TRANSACTION;\n${read.sql}`, read.values as never[]);
    return this.#retrying(operation, options, () =>
      this.#onConnection(async (db) => {
        const [results] = await db.query(opening);
        const { write, result } = decide((results as StatementResult[])[2] as StatementResult);
        await db.query(write === undefined ? 'COMMIT' : mysql.format(`${write.sql};\nCOMMIT`, write.values as never[]));
        return result;
      }),
    );
  }

  /**
   * Runs `fn` on a connection of the pool, sending ROLLBACK when it fails (whatever transaction it
   * left open), and returns the connection, or destroys it when even the ROLLBACK failed.
   */
  async #onConnection<T>(fn: (db: PoolConnection) => Promise<T>): Promise<T> {
    let db: PoolConnection;
    try {
      db = await this.#pool.getConnection();
    } catch (error) {
      throw new ConnectFailure(error);
    }
    let broken = false;
    try {
      return await fn(db);
    } catch (error) {
      try {
        await db.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw error;
    } finally {
      if (broken) db.destroy();
      else db.release();
    }
  }
}

/** A connection that could not be opened: nothing was sent, so the operation can always be retried. */
class ConnectFailure extends Error {
  constructor(cause: unknown) {
    super('could not open a connection', { cause });
  }
}

/** What every group of statements (`queries/`) works with. */
export interface QueryContext {
  readonly connection: MySqlConnection;
  /** The table names, with the prefix, quoted (`` `evertask_tasks` ``). */
  readonly tables: TableNames;
}

/** The quoted names of the storage's tables. */
export interface TableNames {
  readonly tasks: string;
  readonly statusAudit: string;
  readonly runAudit: string;
  readonly executionLogs: string;
  readonly instances: string;
  readonly rateLimits: string;
  readonly rateLimitReservations: string;
  /** The stored procedure of a batch of acquisitions (migration 5). */
  readonly rateLimitAcquire: string;
  readonly pausedQueues: string;
  readonly migrations: string;
}

/** The quoted table names of a (checked) prefix. */
export function tableNames(prefix: string): TableNames {
  return {
    tasks: `\`${prefix}tasks\``,
    statusAudit: `\`${prefix}status_audit\``,
    runAudit: `\`${prefix}run_audit\``,
    executionLogs: `\`${prefix}execution_logs\``,
    instances: `\`${prefix}instances\``,
    rateLimits: `\`${prefix}rate_limits\``,
    rateLimitReservations: `\`${prefix}rate_limit_reservations\``,
    rateLimitAcquire: `\`${prefix}rate_limit_acquire\``,
    pausedQueues: `\`${prefix}paused_queues\``,
    migrations: `\`${prefix}migrations\``,
  };
}
