import { InvalidArgumentError, type StorageNotification } from 'evertask';
import { formatNotificationPayloads, parseNotificationPayload } from 'evertask/storage-kit';
import type { Redis } from 'ioredis';
import type { RedisConnection } from './connection.js';
import { toStorageError } from './redis-errors.js';

/** Own `task-events` payloads remembered at most, waiting to be heard back and dropped. */
const MAX_UNHEARD_PAYLOADS = 1000;

/** Largest payload of a `task-events` notification (a feed batch is split into several above it). */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

/**
 * The storage's notifications role on Redis pub/sub: `notify` publishes on `{<prefix>}:notify`
 * (and `add` publishes from its script); `subscribe` shares one subscriber connection (a
 * `duplicate()` of the command client, closed with the last subscriber). ioredis reconnects and
 * subscribes again by itself; after a reconnect every subscriber gets a `task-available`, since
 * messages published meanwhile were lost.
 */
export class StorageNotifications {
  readonly #connection: RedisConnection;
  readonly #channel: string;
  readonly #enabled: boolean;
  readonly #subscribers = new Set<(notification: StorageNotification) => void>();
  /** `task-events` payloads sent while subscribed and not yet heard back (see `#receive`). */
  readonly #sentFeed = new Set<string>();
  #subscriber: Redis | undefined;
  #starting: Promise<void> | undefined;

  constructor(connection: RedisConnection, channel: string, enabled: boolean) {
    this.#connection = connection;
    this.#channel = channel;
    this.#enabled = enabled;
  }

  async subscribe(subscriber: (notification: StorageNotification) => void): Promise<() => Promise<void>> {
    if (typeof subscriber !== 'function') throw new InvalidArgumentError('subscribe: "listener" must be a function.');
    if (!this.#enabled) throw new InvalidArgumentError('subscribe: notifications are off for this RedisStorage (option "notifications": false).');
    this.#subscribers.add(subscriber);
    try {
      this.#starting ??= this.#start();
      await this.#starting;
    } catch (error) {
      this.#subscribers.delete(subscriber);
      this.#starting = undefined;
      throw toStorageError('subscribe', error);
    }
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      this.#subscribers.delete(subscriber);
      if (this.#subscribers.size === 0) await this.stop();
    };
  }

  async #start(): Promise<void> {
    const client = this.#connection.duplicate('subscriber');
    let ready = false;
    client.on('error', () => undefined); // reconnects by itself; a lost connection must not crash the process
    client.on('ready', () => {
      if (ready) {
        this.#sentFeed.clear();
        this.#emit({ kind: 'task-available' });
      }
      ready = true;
    });
    client.on('message', (channel: string, message: string) => {
      if (channel === this.#channel) this.#receive(message);
    });
    this.#subscriber = client;
    try {
      await client.connect();
      await client.subscribe(this.#channel);
    } catch (error) {
      this.#subscriber = undefined;
      client.disconnect();
      throw error;
    }
  }

  /** Publishes a notification checked by the storage (`StorageChecks.checkNotification`). */
  async notify(notification: StorageNotification): Promise<void> {
    if (!this.#enabled) return;
    const payloads = formatNotificationPayloads(notification, MAX_PAYLOAD_BYTES);
    if (payloads.length === 0) return;
    if (notification.kind === 'task-events' && this.#subscriber !== undefined) {
      // bounded: payloads never heard back (a subscriber connection that dropped meanwhile) are forgotten
      if (this.#sentFeed.size + payloads.length > MAX_UNHEARD_PAYLOADS) this.#sentFeed.clear();
      for (const payload of payloads) this.#sentFeed.add(payload);
    }
    await this.#connection.run('notify', async (client) => {
      if (payloads.length === 1) return client.publish(this.#channel, payloads[0] as string);
      const pipeline = client.pipeline();
      for (const payload of payloads) pipeline.publish(this.#channel, payload);
      for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
      return payloads.length;
    });
  }

  /**
   * A message of the channel. The storage's own `task-events` payloads come back to its subscriber
   * too: they are recognised by their text and dropped unread, so that a publishing engine does not
   * parse and check its own feed.
   */
  #receive(payload: string): void {
    if (this.#sentFeed.delete(payload)) return;
    this.#emit(parseNotificationPayload(payload));
  }

  /** Drops every subscriber and closes the subscriber connection. */
  async stop(): Promise<void> {
    this.#subscribers.clear();
    const starting = this.#starting;
    this.#starting = undefined;
    await starting?.catch(() => undefined);
    const client = this.#subscriber;
    this.#subscriber = undefined;
    if (client !== undefined) await client.quit().catch(() => client.disconnect());
  }

  #emit(notification: StorageNotification): void {
    for (const subscriber of [...this.#subscribers]) {
      try {
        subscriber(notification);
      } catch {
        // one subscriber's failure must not stop the others
      }
    }
  }
}
