import type { InstanceRegistry, StorageCapabilities } from 'evertask';
import { CheckedStorage, checkedInstanceRegistry } from 'evertask/storage-kit';
import { SqliteConnection } from './connection.js';
import { Migrator } from './migrator.js';
import { registerReadFunctions } from './queries/reads.js';
import { createSession, type SqliteSession } from './queries/session.js';
import { tableNames } from './queries/tables.js';
import { sqliteInstances, sqliteRoles } from './sqlite-roles.js';
import { resolveOptions, type SqliteStorageOptions } from './sqlite-storage-options.js';

/**
 * EverTask storage on SQLite through better-sqlite3: one file, shared safely by several processes
 * on one machine. Statuses and times live in indexed columns, so every filter and the due-task query
 * run inside SQLite; each status change and its audit row, and each batch of them, is one transaction.
 *
 * better-sqlite3 is synchronous: every call runs on the event loop. Statements are prepared once
 * and batches share one transaction, so each call is short; a lock held by another process is
 * waited for mostly asynchronously (see `busyTimeoutMs`).
 *
 * `CheckedStorage` checks every argument; each operation then runs one unit of work from
 * `queries/` on the connection (see `sqlite-roles.ts`).
 */
export class SqliteStorage extends CheckedStorage {
  /**
   * A file is persistent and may be shared by processes; a private `':memory:'` database is neither.
   * Cross-process wake-ups are not offered (no `notifications` role): other processes see new work
   * at their next safety sweep or timer.
   */
  readonly capabilities: StorageCapabilities;

  /** The instance registry, in the same file (one row per engine). */
  readonly instances: InstanceRegistry;

  constructor(options: SqliteStorageOptions) {
    const resolved = resolveOptions(options);
    const tables = tableNames(resolved.tablePrefix);
    const connection: SqliteConnection<SqliteSession> = new SqliteConnection<SqliteSession>(resolved, (db) => {
      const location = connection.location;
      new Migrator(tables, location).prepare(db, resolved.migrate);
      registerReadFunctions(db);
      return createSession(db, tables, location);
    });
    super('SqliteStorage', sqliteRoles(connection), connection);
    const memory =
      resolved.database !== undefined
        ? resolved.database.memory
        : resolved.filename === ':memory:' || resolved.filename?.startsWith('file::memory:') === true;
    this.capabilities = Object.freeze({
      persistent: !memory,
      multiProcess: !memory,
      transactionalDispatch: false,
    });
    this.instances = checkedInstanceRegistry('SqliteStorage', sqliteInstances(connection));
  }
}
