import type { EverTaskEventName, EverTaskEvents, TypedEmitter } from '../events.js';
import type { ResolvedOptions } from '../options.js';
import type { StorageNotification, TaskEventEntry, TaskStorage } from '../ports/task-storage.js';
import type { TimerHandle } from '../clock.js';
import { FEED_EVENT_STATUS, truncateFeedError } from '../storage-kit/task-events-codec.js';
import { toError } from '../errors.js';
import type { EventFeedMode } from './event-feed-mode.js';


/** Entries one flush carries at most; beyond, they are counted in `omitted`. */
const MAX_ENTRIES_PER_FLUSH = 1000;
/** A watching engine says so this often. */
export const WATCH_INTERVAL_MS = 10_000;
/** A publishing engine goes on this long after the last word of a watcher. */
const WATCH_TTL_MS = 3 * WATCH_INTERVAL_MS + 5_000;

const FEED_EVENTS = Object.keys(FEED_EVENT_STATUS) as EverTaskEventName[];

type FeedEvent = EverTaskEvents[EverTaskEventName] & { taskId: string; taskName: string; queue: string; at: number };

/** What the feed needs from the engine. */
export interface EventFeedContext {
  readonly options: ResolvedOptions;
  readonly storage: TaskStorage;
  readonly emitter: TypedEmitter;
}

/**
 * The engine's side of the cross-process event feed, over the storage's notification channel.
 * Publishing: while on, it listens to this engine's `task:*` lifecycle events, gathers them into
 * compact entries and sends them as one `task-events` notification per tick (the write coalescer
 * settles a whole batch of status writes in one tick, so that is one notification per write
 * flush; the storage splits it to its payload limit). One notification is in flight at a time;
 * the entries of the next gather meanwhile, at most `MAX_ENTRIES_PER_FLUSH`, the rest counted.
 * Receiving: other engines' entries are re-emitted as `remote:task` (no local hook runs for
 * them), malformed ones reported by `remote:rejected`.
 */
export class EventFeed {
  readonly #ctx: EventFeedContext;
  readonly #mode: EventFeedMode;
  #running = false;
  #offs: (() => void)[] = [];
  #buffer: TaskEventEntry[] = [];
  #omitted = 0;
  #scheduled = false;
  #publishing: Promise<void> | undefined;
  #watchedUntil = 0;
  #expiryTimer: TimerHandle | undefined;
  #watchers = 0;
  #watchTimer: TimerHandle | undefined;

  constructor(ctx: EventFeedContext, mode: EventFeedMode) {
    this.#ctx = ctx;
    this.#mode = mode;
  }

  /** True when the storage can carry the feed: it is shared between processes and has a channel. */
  get supported(): boolean {
    return this.#ctx.storage.notifications !== undefined && this.#ctx.storage.capabilities.multiProcess;
  }

  /** True while this engine publishes its events. */
  get publishing(): boolean {
    return this.#offs.length > 0;
  }

  /** Called once the engine subscribed to the storage's notifications. */
  start(): void {
    if (!this.supported) return;
    this.#running = true;
    if (this.#mode === 'always') this.#listenLocally();
    if (this.#watchers > 0) this.#announce();
  }

  /** Stops publishing and announcing, after sending what was gathered. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#stopListening();
    this.#clear('watch');
    this.#clear('expiry');
    this.#watchedUntil = 0;
    await this.#publishing;
    if (this.#buffer.length > 0 || this.#omitted > 0) await this.#publish();
  }

  /** A `remote:task` subscriber was added on this engine. */
  addWatcher(): void {
    this.#watchers++;
    if (this.#watchers === 1 && this.#running) this.#announce();
  }

  /** A `remote:task` subscriber was removed. */
  removeWatcher(): void {
    if (this.#watchers === 0) return;
    this.#watchers--;
    if (this.#watchers === 0) this.#clear('watch');
  }

  /** Handles a `task-events` or `task-events-watch` notification; other kinds are not its business. */
  receive(n: StorageNotification): void {
    const self = this.#ctx.options.instanceId;
    if (n.kind === 'task-events-watch') {
      if (n.instanceId !== self && this.#mode === 'when-watched' && this.#running) this.#watched();
      return;
    }
    if (n.kind !== 'task-events' || (n.instanceId === self && n.instanceId !== undefined)) return;
    const { emitter, options } = this.#ctx;
    const events = Array.isArray(n.events) ? n.events : undefined;
    const rejected = (n.rejected ?? 0) + (events === undefined ? 1 : 0);
    if (rejected > 0) {
      const instanceId = typeof n.instanceId === 'string' ? n.instanceId : null;
      options.logger.warn(`Ignored ${rejected} malformed entr${rejected === 1 ? 'y' : 'ies'} of the task event feed${instanceId ? ` from ${instanceId}` : ''}.`);
      emitter.emit('remote:rejected', { instanceId, rejected, at: options.clock.now() });
    }
    if (events === undefined || typeof n.instanceId !== 'string' || !emitter.has('remote:task')) return;
    for (const entry of events) emitter.emit('remote:task', { ...entry, instanceId: n.instanceId });
  }

  // ---- publishing ----------------------------------------------------------------------------------

  #listenLocally(): void {
    if (this.#offs.length > 0) return;
    const { emitter } = this.#ctx;
    this.#offs = FEED_EVENTS.map((type) => emitter.on(type, (event) => this.#record(type, event as FeedEvent)));
  }

  #stopListening(): void {
    for (const off of this.#offs.splice(0)) off();
  }

  #record(type: EverTaskEventName, event: FeedEvent): void {
    if (this.#buffer.length >= MAX_ENTRIES_PER_FLUSH) {
      this.#omitted++;
      return;
    }
    const entry: TaskEventEntry = { type, taskId: event.taskId, taskName: event.taskName, queue: event.queue, status: FEED_EVENT_STATUS[type] ?? 'waiting', at: event.at };
    if ('attempt' in event && typeof event.attempt === 'number') entry.attempt = event.attempt;
    if ('error' in event && event.error instanceof Error) entry.error = truncateFeedError(event.error.message);
    if (type === 'task:poisoned' && 'final' in event && !event.final) entry.status = 'waiting';
    this.#buffer.push(entry);
    if (!this.#scheduled && this.#publishing === undefined) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        void this.#publish();
      });
    }
  }

  #publish(): Promise<void> {
    const events = this.#buffer;
    const omitted = this.#omitted;
    this.#buffer = [];
    this.#omitted = 0;
    const channel = this.#ctx.storage.notifications;
    if (channel === undefined || (events.length === 0 && omitted === 0)) return Promise.resolve();
    const notification: StorageNotification = { kind: 'task-events', instanceId: this.#ctx.options.instanceId, events };
    if (omitted > 0) notification.omitted = omitted;
    const sent = channel
      .notify(notification)
      .catch((error: unknown) => this.#ctx.options.logger.warn(`Could not publish ${events.length} task events to the feed: ${toError(error).message}`))
      .finally(() => {
        this.#publishing = undefined;
        if (this.#buffer.length > 0 && this.#running) void this.#publish();
      });
    this.#publishing = sent;
    return sent;
  }

  // ---- watching ------------------------------------------------------------------------------------

  /** Another engine watches: publish until its word lapses. */
  #watched(): void {
    const { clock } = this.#ctx.options;
    this.#watchedUntil = clock.now() + WATCH_TTL_MS;
    this.#listenLocally();
    if (this.#expiryTimer === undefined) this.#scheduleExpiry(WATCH_TTL_MS);
  }

  #scheduleExpiry(ms: number): void {
    const { clock } = this.#ctx.options;
    this.#expiryTimer = clock.setTimer(() => {
      this.#expiryTimer = undefined;
      const left = this.#watchedUntil - clock.now();
      if (left > 0) this.#scheduleExpiry(left);
      else this.#stopListening();
    }, ms);
  }

  /** Tells the other engines that this one watches, now and every `WATCH_INTERVAL_MS`. */
  #announce(): void {
    const channel = this.#ctx.storage.notifications;
    if (channel === undefined || !this.#running || this.#watchers === 0) return;
    void channel.notify({ kind: 'task-events-watch', instanceId: this.#ctx.options.instanceId }).catch((error: unknown) => {
      this.#ctx.options.logger.warn(`Could not announce the task event feed watcher: ${toError(error).message}`);
    });
    this.#clear('watch');
    this.#watchTimer = this.#ctx.options.clock.setTimer(() => {
      this.#watchTimer = undefined;
      this.#announce();
    }, WATCH_INTERVAL_MS);
  }

  #clear(which: 'watch' | 'expiry'): void {
    const handle = which === 'watch' ? this.#watchTimer : this.#expiryTimer;
    if (handle !== undefined) this.#ctx.options.clock.clearTimer(handle);
    if (which === 'watch') this.#watchTimer = undefined;
    else this.#expiryTimer = undefined;
  }
}
