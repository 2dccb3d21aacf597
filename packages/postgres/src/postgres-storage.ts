import type { InstanceRegistry, NotificationChannel, RateLimitStore, StorageCapabilities } from 'evertask';
import { CheckedStorage, StorageLifecycle, checkedInstanceRegistry, checkedNotifications, checkedRateLimits } from 'evertask/storage-kit';
import { PostgresConnection, type QueryContext } from './connection.js';
import { prepareSchema } from './migrator.js';
import { StorageNotifications, notificationChannel } from './notifications.js';
import { quoteIdent, resolvePostgresOptions, type PostgresStorageOptions } from './postgres-storage-options.js';
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
 * PostgreSQL storage: several application instances on one database share the work.
 *
 * - Claims lease tasks with `FOR UPDATE SKIP LOCKED` in one statement; a crashed instance's
 *   tasks are claimed again when their lease expires.
 * - The hot writes (`add`, `transition`, `claimDue`, `renewLeases`) are one round trip each,
 *   batches included: arrays or a JSON array expanded server-side, with writable CTEs for the
 *   audit, run-audit and log rows.
 * - Wake-ups via LISTEN/NOTIFY on a dedicated connection that reconnects by itself.
 * - `add` can join the caller's transaction (`options.tx`, a `pg` client inside `BEGIN`).
 *
 * The class holds the connection, the listener and the capabilities; `CheckedStorage` checks
 * every argument and hands each operation to its group of statements in `queries/`.
 *
 * @example
 * ```ts
 * const storage = new PostgresStorage({ connectionString: process.env.DATABASE_URL! });
 * const everTask = new EverTask({ storage, tasks: [sendWelcome] });
 * ```
 */
export class PostgresStorage extends CheckedStorage {
  readonly capabilities: StorageCapabilities = Object.freeze({ persistent: true, multiProcess: true, transactionalDispatch: true });
  /** The schema holding the tables. */
  readonly schema: string;
  /** The instance registry, in `<schema>.instances` (one row per engine). */
  readonly instances: InstanceRegistry;
  /**
   * Rate-limit budgets in `<schema>.rate_limits`, shared by every process on this schema: one
   * function call per batch of acquisitions.
   */
  readonly rateLimits: RateLimitStore;
  /** LISTEN/NOTIFY wake-ups on the schema's channel (absent with `notifications: false`). */
  readonly notifications: NotificationChannel | undefined;
  readonly #listener: StorageNotifications;

  constructor(options: PostgresStorageOptions) {
    const resolved = resolvePostgresOptions(options);
    const connection = new PostgresConnection(resolved);
    const channel = notificationChannel(resolved.schema);
    const listener = new StorageNotifications({
      connection,
      channel,
      enabled: resolved.notifications,
      initialBackoffMs: resolved.listenerInitialBackoffMs,
      maxBackoffMs: resolved.listenerMaxBackoffMs,
    });
    const context: QueryContext = { connection, schema: resolved.schema, quotedSchema: quoteIdent(resolved.schema) };
    const roles = {
      tasks: new TaskQueries(context, { channel, notifications: resolved.notifications, addChunkSize: resolved.addChunkSize }),
      transitions: new TransitionQueries(context),
      claims: new ClaimQueries(context),
      reads: new ReadQueries(context),
      history: new HistoryQueries(context),
      statistics: new StatisticsQueries(context),
      queueState: new QueueStateQueries(context),
      retention: new RetentionQueries(context),
    };
    const lifecycle = new StorageLifecycle({
      prepare: () => prepareSchema(connection.pool, resolved.schema, resolved.migrate),
      reopen: () => connection.reopen(),
      end: async () => {
        await listener.stop();
        await connection.end();
      },
    });
    super('PostgresStorage', roles, lifecycle);
    this.schema = resolved.schema;
    this.instances = checkedInstanceRegistry('PostgresStorage', new InstanceQueries(context));
    this.rateLimits = checkedRateLimits('PostgresStorage', new RateLimitQueries(context));
    this.notifications = resolved.notifications ? checkedNotifications(this.checks, listener) : undefined;
    this.#listener = listener;
  }

  /** Backend pid of the LISTEN connection, when subscribed (diagnostics and tests). */
  get listenerProcessId(): number | undefined {
    return this.#listener.listenerProcessId;
  }
}
