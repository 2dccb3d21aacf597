/**
 * Borrowing the application's Kysely instance (never destroying it) and running the storage's
 * work on it: driver errors wrapped as `StorageError`s naming the operation, transient ones (a
 * deadlock, a lock wait, a busy SQLite file, a lost connection) run again with backoff.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { EverTaskError, StorageError } from 'evertask';
import { wrapDriverError } from 'evertask/storage-kit';
import type { AnyKysely } from './database.js';
import type { SqlDialect } from './dialects/dialect.js';
import { detectDialect, dialectNamed } from './dialects/detect.js';
import { isKyselyInstance, type ResolvedKyselyStorageOptions } from './kysely-storage-options.js';

/** How an operation may be run again. */
export interface RunOptions {
  /**
   * Safe to run again after a connection was cut mid-statement (reads, claims, renewals,
   * upserts). Other work is run again only after errors that prove nothing was written (a
   * deadlock, a lock wait, a busy database).
   */
  idempotent?: boolean;
}

/** A Kysely instance with the dialect the storage speaks on it. */
export class KyselyConnection {
  readonly #options: ResolvedKyselyStorageOptions;
  #db: AnyKysely | undefined;
  #dialect: SqlDialect | undefined;

  constructor(options: ResolvedKyselyStorageOptions) {
    this.#options = options;
    if (isKyselyInstance(options.db)) this.#use(options.db);
  }

  /** Resolves the instance (calling the factory once) and its dialect. */
  async resolve(): Promise<void> {
    if (this.#db !== undefined) return;
    const factory = this.#options.db as () => unknown;
    let db: unknown;
    try {
      db = await factory();
    } catch (error) {
      throw new StorageError(`KyselyStorage.open failed: the "db" factory threw: ${(error as Error).message ?? String(error)}`, { cause: error });
    }
    if (!isKyselyInstance(db) || db.isTransaction) {
      throw new StorageError('KyselyStorage.open failed: the "db" factory must return a Kysely instance (not a Transaction). Return the instance your application uses.');
    }
    this.#use(db);
  }

  #use(db: AnyKysely): void {
    const dialect = this.#options.dialect === undefined ? detectDialect(db) : dialectNamed(this.#options.dialect);
    if (dialect === undefined) {
      throw new StorageError(
        'KyselyStorage: cannot tell the SQL dialect of this Kysely instance (its adapter is not PostgresAdapter, MysqlAdapter or SqliteAdapter). Pass the option dialect: "postgres", "mysql" or "sqlite".',
      );
    }
    this.#db = db;
    this.#dialect = dialect;
  }

  /** The instance (after `resolve()`). */
  get db(): AnyKysely {
    if (this.#db === undefined) throw new StorageError('KyselyStorage is not open: call open() (EverTask.start() does) before using it.');
    return this.#db;
  }

  /** The dialect (after `resolve()`). */
  get dialect(): SqlDialect {
    if (this.#dialect === undefined) throw new StorageError('KyselyStorage is not open: call open() (EverTask.start() does) before using it.');
    return this.#dialect;
  }

  /** Runs `work` on the instance, retrying transient errors; wraps the final error. */
  async run<T>(operation: string, work: (db: AnyKysely) => Promise<T>, options: RunOptions = {}): Promise<T> {
    const db = this.db;
    let delay = this.#options.retryInitialBackoffMs;
    for (let tries = 0; ; tries++) {
      try {
        return await work(db);
      } catch (error) {
        if (error instanceof EverTaskError) throw error;
        const transient = this.dialect.isTransient(error);
        const rerun = transient && (options.idempotent === true || !isLostConnection(error));
        if (!rerun || tries >= this.#options.transientRetries) throw this.toStorageError(operation, error);
        await sleep(delay / 2 + Math.random() * delay);
        delay *= 2;
      }
    }
  }

  /** Runs `work` in one of the dialect's transactions (see `SqlDialect.transaction`), as `run` does. */
  async transaction<T>(operation: string, work: (tx: AnyKysely) => Promise<T>, options: RunOptions = {}): Promise<T> {
    return this.run(operation, (db) => this.dialect.transaction(db, work), options);
  }

  /** A driver error as a `StorageError` (transient when the dialect says so); the library's own errors pass through. */
  toStorageError(operation: string, error: unknown): Error {
    const transient = this.#dialect?.isTransient(error) ?? false;
    const hint = transient ? ' (transient: the database was busy, locked or unreachable; retry later)' : '';
    const explanation = `${this.#dialect?.describeError(error) ?? String(error)}${hint}`;
    return wrapDriverError('KyselyStorage', operation, error, { transient, explanation });
  }
}

/** A connection cut mid-statement: whether the statement ran is unknown. */
function isLostConnection(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(ECONNRESET|EPIPE|PROTOCOL_CONNECTION_LOST|ETIMEDOUT)$/.test(code);
}
