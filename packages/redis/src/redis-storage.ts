import type { InstanceRegistry, NotificationChannel, RateLimitStore, StorageCapabilities } from 'evertask';
import { CheckedStorage, StorageLifecycle, checkedInstanceRegistry, checkedNotifications, checkedRateLimits } from 'evertask/storage-kit';
import { RedisConnection, type QueryContext } from './connection.js';
import { KeyNames } from './keys.js';
import { prepareLayout } from './migrator.js';
import { StorageNotifications } from './notifications.js';
import { ClaimQueries } from './queries/claims.js';
import { HistoryQueries } from './queries/history.js';
import { InstanceQueries } from './queries/instances.js';
import { QueueStateQueries } from './queries/queue-state.js';
import { RateLimitQueries } from './queries/rate-limits.js';
import { StatisticsQueries } from './queries/statistics.js';
import { ReadQueries } from './queries/reads.js';
import { RetentionQueries } from './queries/retention.js';
import { TaskQueries } from './queries/tasks.js';
import { TransitionQueries } from './queries/transitions.js';
import { resolveRedisOptions, type RedisStorageOptions, type ResolvedRedisStorageOptions } from './redis-storage-options.js';
import { toStorageError } from './redis-errors.js';
import { checkEvictionPolicy } from './server-checks.js';

/**
 * Redis storage: several application instances on one Redis share the work.
 *
 * - Every state change is one Lua script (atomic, one round trip): `add` and `transition` take a
 *   whole batch in one script, with the history rows and the index moves.
 * - Due tasks and leases are sorted sets per queue; a claim script takes the earliest due tasks
 *   and lapsed leases and leases them; a crashed instance's tasks are claimed again when their
 *   lease expires.
 * - Wake-ups by pub/sub (`{<prefix>}:notify`): `add` publishes from its script.
 * - Task keys are unique (a hash checked in the add script); the monitor's queries are served
 *   from status indexes the scripts maintain (no KEYS or SCAN).
 * - Every key is under the hash tag `{<prefix>}`, so a deployment lives in one Cluster slot.
 * - Rate limits: the `rateLimits` role, one script per batch of acquisitions, shared by every process.
 * - `open()` refuses a server whose `maxmemory-policy` may evict keys (`allkeys-*`).
 *
 * The class holds the connection, the subscriber and the capabilities; `CheckedStorage` checks
 * every argument and hands each operation to its group of commands and scripts in `queries/`.
 *
 * @example
 * ```ts
 * const storage = new RedisStorage({ url: 'redis://127.0.0.1:6379' });
 * const everTask = new EverTask({ storage, tasks: [sendWelcome] });
 * ```
 */
export class RedisStorage extends CheckedStorage {
  readonly capabilities: StorageCapabilities = Object.freeze({ persistent: true, multiProcess: true, transactionalDispatch: false });
  /** The key prefix (keys are `{<prefix>}:…`). */
  readonly prefix: string;
  /** Wake-ups on the pub/sub channel `{<prefix>}:notify` (absent with `notifications: false`). */
  readonly notifications?: NotificationChannel;
  /** The instance registry, in the hash `{<prefix>}:inst` (one record per engine). */
  readonly instances: InstanceRegistry;
  /**
   * Keyed rate-limit budgets shared by every process on this Redis: each batch of acquisitions is
   * one Lua script (GCRA with reservations by task id, keys `{<prefix>}:rl:…`).
   */
  readonly rateLimits: RateLimitStore;

  constructor(options: RedisStorageOptions) {
    const resolved = resolveRedisOptions(options);
    const keys = new KeyNames(resolved.prefix);
    const connection = new RedisConnection(resolved, keys);
    const subscriber = new StorageNotifications(connection, keys.notify, resolved.notifications);
    const context: QueryContext = { connection, keys };
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
      prepare: () => prepare(connection, keys, resolved),
      reopen: () => undefined, // the connection makes a new client when its last one was closed
      end: async () => {
        await subscriber.stop();
        await connection.close();
      },
    });
    super('RedisStorage', roles, lifecycle);
    this.prefix = resolved.prefix;
    this.instances = checkedInstanceRegistry('RedisStorage', new InstanceQueries(context));
    this.rateLimits = checkedRateLimits('RedisStorage', new RateLimitQueries(context));
    if (resolved.notifications) this.notifications = checkedNotifications(this.checks, subscriber);
  }
}

/** Connects, loads the scripts, checks the eviction policy and the key layout version. */
async function prepare(connection: RedisConnection, keys: KeyNames, options: ResolvedRedisStorageOptions): Promise<void> {
  await connection.open();
  const client = connection.client;
  try {
    if (options.checkEvictionPolicy) await checkEvictionPolicy(client, options.onWarning);
    await prepareLayout(client, keys);
  } catch (error) {
    throw toStorageError('open', error);
  }
}
