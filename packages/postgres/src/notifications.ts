import { createHash } from 'node:crypto';
import pg from 'pg';
import type { ClientConfig } from 'pg';
import { InvalidArgumentError, type StorageNotification } from 'evertask';
import { formatNotificationPayload, formatNotificationPayloads as formatPayloads, parseNotificationPayload } from 'evertask/storage-kit';
import type { PostgresConnection } from './connection.js';
import { toStorageError } from './postgres-errors.js';

/** LISTEN channel of a schema: at most 63 bytes, distinct per schema. */
export function notificationChannel(schema: string): string {
  const name = `evertask_${schema}`;
  if (name.length <= 63) return name;
  const hash = createHash('sha1').update(schema).digest('hex').slice(0, 12);
  return `${name.slice(0, 50)}_${hash}`;
}

/** Everything the listener needs from its storage. */
export interface NotificationListenerOptions {
  /** Settings of the dedicated connection (never a pooled one: it stays in LISTEN). */
  clientConfig: ClientConfig;
  channel: string;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Each notification's payload, as received. */
  onNotification: (payload: string | undefined) => void;
  /** The connection came back after a drop (notifications may have been missed meanwhile). */
  onReconnect: () => void;
}

/** Own `task-events` payloads remembered at most, waiting to be heard back and dropped. */
const MAX_UNHEARD_PAYLOADS = 1000;

/** `pg_notify` takes payloads shorter than 8,000 bytes. */
export const MAX_PAYLOAD_BYTES = 7999;

/** The payloads on the channel: the kit's shapes, shared by every storage with a channel. */
export { formatNotificationPayload, parseNotificationPayload };

/** A notification as `pg_notify` payloads (each under `MAX_PAYLOAD_BYTES`). */
export function formatNotificationPayloads(notification: StorageNotification): string[] {
  return formatPayloads(notification, MAX_PAYLOAD_BYTES);
}

/**
 * Holds one dedicated connection in `LISTEN <channel>`. When the connection drops (server
 * restart, `pg_terminate_backend`, network), it reconnects with exponential backoff and jitter,
 * listens again and calls `onReconnect`, so the engine re-reads what it may have missed.
 */
export class NotificationListener {
  readonly #options: NotificationListenerOptions;
  #client: pg.Client | undefined;
  #stopped = true;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #connecting: Promise<void> | undefined;

  constructor(options: NotificationListenerOptions) {
    this.#options = options;
  }

  /** True while a LISTEN connection is up. */
  get connected(): boolean {
    return this.#client !== undefined;
  }

  /** Connects and listens; throws a `StorageError` when the first connection fails. */
  async start(): Promise<void> {
    if (!this.#stopped) return this.#connecting;
    this.#stopped = false;
    this.#attempt = 0;
    this.#connecting = this.#connect();
    try {
      await this.#connecting;
    } catch (error) {
      this.#stopped = true;
      throw toStorageError('subscribe', error);
    } finally {
      this.#connecting = undefined;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#reconnectTimer !== undefined) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    await this.#connecting?.catch(() => undefined);
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) await client.end().catch(() => undefined);
  }

  /** Backend pid of the LISTEN connection (for tests and diagnostics). */
  get processId(): number | undefined {
    return (this.#client as unknown as { processID?: number } | undefined)?.processID;
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ keepAlive: true, keepAliveInitialDelayMillis: 10_000, ...this.#options.clientConfig });
    let dropped = false;
    const onDrop = (): void => {
      if (dropped) return;
      dropped = true;
      if (this.#client === client) this.#client = undefined;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      this.#scheduleReconnect();
    };
    // Errors of an idle LISTEN connection arrive as events; without a handler they would crash the process.
    client.on('error', onDrop);
    client.on('end', onDrop);
    client.on('notification', (message) => {
      if (message.channel !== this.#options.channel) return;
      this.#options.onNotification(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.#options.channel}"`);
    } catch (error) {
      dropped = true;
      client.removeAllListeners('notification');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.#stopped) {
      dropped = true;
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
  }

  #scheduleReconnect(): void {
    if (this.#stopped || this.#reconnectTimer !== undefined) return;
    const { initialBackoffMs, maxBackoffMs } = this.#options;
    const base = Math.min(maxBackoffMs, initialBackoffMs * 2 ** Math.min(this.#attempt, 20));
    const delay = base / 2 + Math.random() * (base / 2);
    this.#attempt++;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#stopped) return;
      this.#connecting = this.#connect();
      this.#connecting.then(
        () => {
          this.#connecting = undefined;
          if (this.#stopped) return;
          this.#attempt = 0;
          this.#options.onReconnect();
        },
        () => {
          this.#connecting = undefined;
          this.#scheduleReconnect();
        },
      );
    }, delay);
    this.#reconnectTimer.unref();
  }
}

/** What `StorageNotifications` needs from its storage. */
export interface StorageNotificationsOptions {
  connection: PostgresConnection;
  channel: string;
  /** Option `notifications`: false turns `notify` into a no-op and `subscribe` into an error. */
  enabled: boolean;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

/**
 * The storage's notifications role: `notify` sends `pg_notify` on the channel of the schema,
 * `subscribe` shares one `NotificationListener` among every subscriber, started with the first
 * and stopped with the last.
 */
export class StorageNotifications {
  readonly #options: StorageNotificationsOptions;
  readonly #notifySql = 'SELECT pg_notify($1::text, $2::text)';
  /** Several payloads in one statement (one round trip, one transaction, delivered in order). */
  readonly #notifyManySql = 'SELECT pg_notify($1::text, p) FROM unnest($2::text[]) AS p';
  readonly #subscribers = new Set<(notification: StorageNotification) => void>();
  /** `task-events` payloads sent while listening and not yet heard back (see `#receive`). */
  readonly #sentFeed = new Set<string>();
  #listener: NotificationListener | undefined;

  constructor(options: StorageNotificationsOptions) {
    this.#options = options;
  }

  async subscribe(subscriber: (notification: StorageNotification) => void): Promise<() => Promise<void>> {
    if (typeof subscriber !== 'function') throw new InvalidArgumentError('subscribe: "listener" must be a function.');
    if (!this.#options.enabled) {
      throw new InvalidArgumentError('subscribe: notifications are off for this PostgresStorage (option "notifications": false).');
    }
    this.#subscribers.add(subscriber);
    if (this.#listener === undefined) {
      const created = new NotificationListener({
        clientConfig: this.#options.connection.dedicatedClientConfig(),
        channel: this.#options.channel,
        initialBackoffMs: this.#options.initialBackoffMs,
        maxBackoffMs: this.#options.maxBackoffMs,
        onNotification: (payload) => this.#receive(payload),
        onReconnect: () => {
          this.#sentFeed.clear();
          this.#emit({ kind: 'task-available' });
        },
      });
      this.#listener = created;
      try {
        await created.start();
      } catch (error) {
        this.#listener = undefined;
        this.#subscribers.delete(subscriber);
        throw error;
      }
    } else {
      await this.#listener.start();
    }
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      this.#subscribers.delete(subscriber);
      if (this.#subscribers.size === 0 && this.#listener !== undefined) {
        const current = this.#listener;
        this.#listener = undefined;
        await current.stop();
      }
    };
  }

  /** Sends a notification checked by the storage (`StorageChecks.checkNotification`). */
  async notify(notification: StorageNotification): Promise<void> {
    if (!this.#options.enabled) return;
    const payloads = formatNotificationPayloads(notification);
    if (payloads.length === 0) return;
    if (notification.kind === 'task-events' && this.#listener !== undefined) {
      // bounded: payloads never heard back (a LISTEN connection that dropped meanwhile) are forgotten
      if (this.#sentFeed.size + payloads.length > MAX_UNHEARD_PAYLOADS) this.#sentFeed.clear();
      for (const payload of payloads) this.#sentFeed.add(payload);
    }
    await this.#options.connection.run(
      'notify',
      payloads.length === 1
        ? { text: this.#notifySql, values: [this.#options.channel, payloads[0]] }
        : { text: this.#notifyManySql, values: [this.#options.channel, payloads] },
    );
  }

  /** Backend pid of the LISTEN connection, when subscribed (diagnostics and tests). */
  get listenerProcessId(): number | undefined {
    return this.#listener?.processId;
  }

  /** Drops every subscriber and closes the LISTEN connection. */
  async stop(): Promise<void> {
    this.#subscribers.clear();
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.stop();
  }

  /**
   * A payload from the channel. The storage's own `task-events` payloads come back to it too
   * (LISTEN delivers a session's own NOTIFYs): they are recognised by their text and dropped
   * unread, so that a publishing engine does not parse and validate its own feed.
   */
  #receive(payload: string | undefined): void {
    if (payload !== undefined && this.#sentFeed.delete(payload)) return;
    this.#emit(parseNotificationPayload(payload));
  }

  #emit(notification: StorageNotification): void {
    for (const subscriber of [...this.#subscribers]) {
      try {
        subscriber(notification);
      } catch {
        // A subscriber's failure must not stop the others or the LISTEN connection.
      }
    }
  }
}
