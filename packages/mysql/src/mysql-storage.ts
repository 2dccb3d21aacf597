import type { InstanceRegistry, RateLimitStore, StorageCapabilities } from 'evertask';
import { CheckedStorage, StorageLifecycle, checkedInstanceRegistry, checkedRateLimits } from 'evertask/storage-kit';
import { MySqlConnection, tableNames, type QueryContext } from './connection.js';
import { prepareTables } from './migrator.js';
import { resolveMySqlOptions, type MySqlStorageOptions } from './mysql-storage-options.js';
import { ClaimQueries } from './queries/claims.js';
import { HistoryQueries } from './queries/history.js';
import { InstanceQueries } from './queries/instances.js';
import { RateLimitQueries } from './queries/rate-limits.js';
import { QueueStateQueries } from './queries/queue-state.js';
import { ReadQueries } from './queries/reads.js';
import { RetentionQueries } from './queries/retention.js';
import { StatisticsQueries } from './queries/statistics.js';
import { TaskQueries } from './queries/tasks.js';
import { TransitionQueries } from './queries/transitions.js';

/**
 * MySQL 8 / MariaDB 10.6+ storage: several application instances on one database share the work.
 *
 * - Claims lease tasks with `FOR UPDATE SKIP LOCKED` in one READ COMMITTED transaction; a crashed
 *   instance's tasks are claimed again when their lease expires.
 * - Batched inserts and transition batches (with their audit, run-audit and log rows) are one
 *   round trip each.
 * - No notification channel: wake-ups come from the engine's local dispatch, its timers and its
 *   safety sweep (the `sweepInterval` option), which also picks up what other processes added.
 * - Deadlocks, lock wait timeouts and failed connects are retried with backoff.
 * - `add` can join the caller's transaction (`options.tx`, a mysql2/promise connection inside
 *   `START TRANSACTION`).
 *
 * The class holds the connection and the capabilities; `CheckedStorage` checks every argument
 * and hands each operation to its group of statements in `queries/`.
 *
 * @example
 * ```ts
 * const storage = new MySqlStorage({ uri: 'mysql://app:secret@127.0.0.1:3306/app' });
 * const everTask = new EverTask({ storage, tasks: [sendWelcome] });
 * ```
 */
export class MySqlStorage extends CheckedStorage {
  readonly capabilities: StorageCapabilities = Object.freeze({ persistent: true, multiProcess: true, transactionalDispatch: true });
  /** The prefix of the tables (`evertask_` → `evertask_tasks`…). */
  readonly tablePrefix: string;
  /** The instance registry, in `<prefix>instances` (one row per engine). */
  readonly instances: InstanceRegistry;
  /**
   * Rate-limit budgets in `<prefix>rate_limits`, shared by every process on these tables: one
   * transaction per batch of acquisitions.
   */
  readonly rateLimits: RateLimitStore;

  constructor(options: MySqlStorageOptions) {
    const resolved = resolveMySqlOptions(options);
    const connection = new MySqlConnection(resolved);
    const context: QueryContext = { connection, tables: tableNames(resolved.tablePrefix) };
    const roles = {
      tasks: new TaskQueries(context, resolved.addChunkSize),
      transitions: new TransitionQueries(context),
      claims: new ClaimQueries(context),
      reads: new ReadQueries(context),
      history: new HistoryQueries(context),
      statistics: new StatisticsQueries(context),
      queueState: new QueueStateQueries(context),
      retention: new RetentionQueries(context),
    };
    const lifecycle = new StorageLifecycle({
      prepare: () => prepareTables(connection.pool, resolved.tablePrefix, resolved.migrate),
      reopen: () => connection.reopen(),
      end: () => connection.end(),
    });
    super('MySqlStorage', roles, lifecycle);
    this.tablePrefix = resolved.tablePrefix;
    this.instances = checkedInstanceRegistry('MySqlStorage', new InstanceQueries(context));
    this.rateLimits = checkedRateLimits('MySqlStorage', new RateLimitQueries(context));
  }
}
