import { InvalidArgumentError, type StorageNotification, type StoredTask } from 'evertask';
import type { Redis } from 'ioredis';
import type { RedisConnection } from './connection.js';
import { toStorageError } from './redis-errors.js';

const KINDS: ReadonlySet<string> = new Set(['task-available', 'task-cancelled']);

/** Parses a published payload; anything unknown or malformed is a plain `task-available` ("something changed"). */
export function parseNotification(payload: string): StorageNotification {
  try {
    const value: unknown = JSON.parse(payload);
    if (typeof value !== 'object' || value === null) return { kind: 'task-available' };
    const raw = value as Record<string, unknown>;
    const kind = typeof raw.kind === 'string' && KINDS.has(raw.kind) ? (raw.kind as StorageNotification['kind']) : 'task-available';
    const notification: StorageNotification = { kind };
    if (typeof raw.dueAt === 'number' && Number.isFinite(raw.dueAt)) notification.dueAt = raw.dueAt;
    if (typeof raw.taskId === 'string') notification.taskId = raw.taskId;
    return notification;
  } catch {
    return { kind: 'task-available' };
  }
}

/** A notification as published (the shape `parseNotification` reads). */
export function formatNotification(notification: StorageNotification): string {
  const out: Record<string, unknown> = { kind: notification.kind };
  if (notification.dueAt !== undefined) out.dueAt = notification.dueAt;
  if (notification.taskId !== undefined) out.taskId = notification.taskId;
  return JSON.stringify(out);
}

/** The wake-up `add` publishes: the earliest due time of the runnable tasks (with the id when one); '' when none is runnable. */
export function wakeUpPayload(tasks: readonly StoredTask[]): string {
  let dueAt: number | undefined;
  let taskId: string | undefined;
  let runnable = 0;
  for (const t of tasks) {
    if ((t.status !== 'waiting' && t.status !== 'service-stopped') || t.dueAt === null) continue;
    runnable++;
    taskId = t.id;
    if (dueAt === undefined || t.dueAt < dueAt) dueAt = t.dueAt;
  }
  if (dueAt === undefined) return '';
  return formatNotification(runnable === 1 ? { kind: 'task-available', dueAt, taskId } : { kind: 'task-available', dueAt });
}

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
      if (channel === this.#channel) this.#emit(parseNotification(message));
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
    if (typeof notification !== 'object' || notification === null || !KINDS.has(notification.kind)) {
      throw new InvalidArgumentError('notify: "notification.kind" must be "task-available" or "task-cancelled".');
    }
    if (!this.#enabled) return;
    await this.#connection.run('notify', (client) => client.publish(this.#channel, formatNotification(notification)));
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
