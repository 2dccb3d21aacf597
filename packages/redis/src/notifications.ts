import { InvalidArgumentError, type StorageNotification } from 'evertask';
import { formatNotificationPayload, isNotificationKind, parseNotificationPayload } from 'evertask/storage-kit';
import type { Redis } from 'ioredis';
import type { RedisConnection } from './connection.js';
import { toStorageError } from './redis-errors.js';

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
      if (ready) this.#emit({ kind: 'task-available' });
      ready = true;
    });
    client.on('message', (channel: string, message: string) => {
      if (channel === this.#channel) this.#emit(parseNotificationPayload(message));
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

  async notify(notification: StorageNotification): Promise<void> {
    if (typeof notification !== 'object' || notification === null || !isNotificationKind(notification.kind)) {
      throw new InvalidArgumentError('notify: "notification.kind" must be "task-available" or "task-cancelled".');
    }
    if (!this.#enabled) return;
    await this.#connection.run('notify', (client) => client.publish(this.#channel, formatNotificationPayload(notification)));
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
