import type { InstanceRegistry, RateLimitStore, StorageCapabilities } from 'evertask';
import { CheckedStorage, StorageLifecycle, checkedInstanceRegistry, checkedRateLimits } from 'evertask/storage-kit';
import { KyselyConnection } from './connection.js';
import { tableNames, type AnyKysely } from './database.js';
import type { DialectName } from './dialects/dialect.js';
import { prepareTables } from './migrator.js';
import { resolveKyselyOptions, type KyselyStorageOptions } from './kysely-storage-options.js';
import { ClaimQueries } from './queries/claims.js';
import type { QueryContext } from './queries/context.js';
import { HistoryQueries } from './queries/history.js';
import { InstanceQueries } from './queries/instances.js';
import { QueueStateQueries } from './queries/queue-state.js';
import { RateLimitQueries } from './queries/rate-limits.js';
import { ReadQueries } from './queries/reads.js';
import { RetentionQueries } from './queries/retention.js';
import { StatisticsQueries } from './queries/statistics.js';
import { TaskQueries } from './queries/tasks.js';
import { TransitionQueries } from './queries/transitions.js';

/**
 * EverTask's storage on the application's own Kysely instance: PostgreSQL, MySQL/MariaDB or
 * SQLite, whichever dialect the instance speaks (see `dialects/`).
 *
 * - Borrows the instance: it never creates, pools or destroys connections (`close()` leaves the
 *   instance to the application).
 * - Creates and upgrades its tables with Kysely's `Migrator`, in a migration table of its own
 *   (`migrationTableName`), under a table prefix.
 * - Claims lease tasks in one transaction: `FOR UPDATE SKIP LOCKED` on PostgreSQL and MySQL, a
 *   `BEGIN IMMEDIATE` transaction on SQLite; several processes share the work.
 * - `add` joins the application's transaction: `add(tasks, { tx })` with a Kysely `Transaction`.
 * - No notification channel: wake-ups come from the engine's local dispatch, its timers and its
 *   safety sweep (the engine's `sweepInterval` option), which also picks up other processes' tasks.
 *
 * The class holds the connection and the capabilities; `CheckedStorage` checks every argument
 * and hands each operation to its group of statements in `queries/`.
 *
 * @example
 * ```ts
 * const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
 * const storage = new KyselyStorage({ db });
 * const everTask = new EverTask({ storage, tasks: [sendWelcome] });
 * await db.transaction().execute(async (trx) => {
 *   await trx.insertInto('users').values(user).execute();
 *   await everTask.dispatch(sendWelcome, { email: user.email }, { tx: trx });
 * });
 * ```
 */
export class KyselyStorage extends CheckedStorage {
  readonly capabilities: StorageCapabilities = Object.freeze({ persistent: true, multiProcess: true, transactionalDispatch: true });
  /** The prefix of the tables (`evertask_` → `evertask_tasks`…). */
  readonly tablePrefix: string;
  /** The table in which Kysely's Migrator records the storage's migrations. */
  readonly migrationTableName: string;
  /** The instance registry, in `<prefix>instances` (one row per engine). */
  readonly instances: InstanceRegistry;
  /**
   * Rate-limit budgets in `<prefix>rate_limits`, shared by every process on these tables: one
   * transaction per batch of acquisitions.
   */
  readonly rateLimits: RateLimitStore;

  readonly #connection: KyselyConnection;

  constructor(options: KyselyStorageOptions) {
    const resolved = resolveKyselyOptions(options);
    const connection = new KyselyConnection(resolved);
    const context: QueryContext = { connection, tables: tableNames(resolved.tablePrefix), chunkSize: resolved.addChunkSize };
    const roles = {
      tasks: new TaskQueries(context),
      transitions: new TransitionQueries(context),
      claims: new ClaimQueries(context),
      reads: new ReadQueries(context),
      history: new HistoryQueries(context),
      statistics: new StatisticsQueries(context),
      queueState: new QueueStateQueries(context),
      retention: new RetentionQueries(context),
    };
    const lifecycle = new StorageLifecycle({
      prepare: async () => {
        await connection.resolve();
        await prepareTables(connection.db, connection.dialect, resolved, resolved.migrate);
      },
      reopen: () => undefined,
      // the instance belongs to the application: nothing to end
      end: async () => undefined,
    });
    super('KyselyStorage', roles, lifecycle);
    this.#connection = connection;
    this.tablePrefix = resolved.tablePrefix;
    this.migrationTableName = resolved.migrationTableName;
    this.instances = checkedInstanceRegistry('KyselyStorage', new InstanceQueries(context));
    this.rateLimits = checkedRateLimits('KyselyStorage', new RateLimitQueries(context));
  }

  /** The application's Kysely instance the storage runs on (after `open()` when built from a factory). */
  get db(): AnyKysely {
    return this.#connection.db;
  }

  /** The dialect the storage speaks on it (after `open()` when built from a factory). */
  get dialect(): DialectName {
    return this.#connection.dialect.name;
  }
}
