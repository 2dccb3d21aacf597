/**
 * Opening and owning the better-sqlite3 connection (never closing a database that was handed in),
 * and running each unit of work with busy retry: a lock held by another connection or process is
 * waited for mostly asynchronously, so the event loop stays responsive.
 */
import Database from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';
import { StorageError } from 'evertask';
import { isBusy, toStorageError } from './sqlite-errors.js';

/** Longest a single attempt waits inside SQLite (blocking the event loop) before backing off asynchronously. */
const SYNC_BUSY_SLICE_MS = 25;

export interface ConnectionSettings {
  /** The file to open (and own); `undefined` when `database` is given. */
  filename: string | undefined;
  /** A database the application opened; it is never closed here. */
  database: Database.Database | undefined;
  busyTimeoutMs: number;
  synchronous: 'normal' | 'full';
}

/** The file a storage works on, for messages. */
function describeLocation(settings: Pick<ConnectionSettings, 'filename' | 'database'>): string {
  if (settings.filename !== undefined) return settings.filename;
  return settings.database?.name ? settings.database.name : 'handed-in database';
}

/**
 * One connection and what was prepared on it (`Session`: statements, built by `setup` once the
 * pragmas are set). `open()` retries while the file is locked; `close()` closes only what it opened.
 */
export class SqliteConnection<Session> {
  readonly location: string;
  readonly #settings: ConnectionSettings;
  readonly #setup: (db: Database.Database) => Session;
  #db: Database.Database | undefined;
  #session: Session | undefined;
  #opening: Promise<void> | undefined;

  constructor(settings: ConnectionSettings, setup: (db: Database.Database) => Session) {
    this.#settings = settings;
    this.#setup = setup;
    this.location = describeLocation(settings);
  }

  async open(): Promise<void> {
    if (this.#session !== undefined) return;
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

  /**
   * Runs one synchronous unit of work (a statement or a transaction). When another connection holds
   * the write lock, SQLite waits up to a short slice; after that the attempt is retried with
   * asynchronous back-off until `busyTimeoutMs` has passed, then a transient `StorageError` is thrown.
   * A failed attempt has rolled back, so a retry is safe.
   */
  async run<T>(operation: string, work: (session: Session) => T): Promise<T> {
    const deadline = Date.now() + this.#settings.busyTimeoutMs;
    let delay = 1;
    for (;;) {
      const { db, session } = this.#requireOpen(operation);
      try {
        return work(session);
      } catch (error) {
        if (isBusy(error) && !db.inTransaction && Date.now() < deadline) {
          await sleep(Math.min(delay + Math.random() * delay, Math.max(1, deadline - Date.now())));
          delay = Math.min(delay * 2, 40);
          continue;
        }
        throw toStorageError(operation, error, this.location);
      }
    }
  }

  #requireOpen(operation: string): { db: Database.Database; session: Session } {
    const db = this.#db;
    const session = this.#session;
    if (!db || session === undefined) {
      throw new StorageError(
        `SQLite storage (${this.location}): cannot run ${operation}: the storage is not open. Call open() first ` +
          `(EverTask.start() does), and do not use it after close().`,
      );
    }
    if (!db.open) {
      throw new StorageError(
        `SQLite storage (${this.location}): cannot run ${operation}: the database handed in was closed by its owner.`,
      );
    }
    return { db, session };
  }

  async #openWithRetry(): Promise<void> {
    const deadline = Date.now() + this.#settings.busyTimeoutMs;
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
        throw toStorageError('open', error, this.location);
      }
    }
  }

  #openSync(): void {
    const handed = this.#settings.database;
    if (handed && !handed.open) {
      throw new StorageError(`SQLite storage (${this.location}): the database handed in as "database" is closed.`);
    }
    const db = handed ?? new Database(this.#settings.filename as string);
    this.#db = db;
    db.pragma(`busy_timeout = ${Math.min(this.#settings.busyTimeoutMs, SYNC_BUSY_SLICE_MS)}`);
    if (!db.memory && !db.readonly) {
      // Persistent setting; returns the mode in effect. Also the first read of the file, so a file that is
      // not a database fails here with SQLITE_NOTADB.
      db.pragma('journal_mode = WAL');
    } else {
      db.pragma('schema_version');
    }
    db.pragma(`synchronous = ${this.#settings.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    this.#session = this.#setup(db);
  }

  /**
   * Forgets the connection and closes it when we opened it (never a database handed in). After a
   * normal use, `optimize` first lets SQLite refresh stale planner statistics (cheap; recommended
   * before closing).
   */
  #release(optimize: boolean): void {
    const db = this.#db;
    this.#db = undefined;
    this.#session = undefined;
    if (!db || this.#settings.database !== undefined || !db.open) return;
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
}
