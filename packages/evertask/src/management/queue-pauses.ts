import { InvalidArgumentError, toError } from '../errors.js';
import { checkQueueName } from '../options.js';
import type { PausedQueue } from '../ports/queue-state.js';
import { storageCall } from '../storage/storage-call.js';
import { resolveActor, type ActionOptions } from './action-options.js';
import { notifyAvailable, type ManagementContext } from './management-context.js';
import { describeValue } from '../describe-value.js';

/** A paused queue as `EverTask.pausedQueues()` lists it. */
export interface PausedQueueInfo {
  queue: string;
  pausedAt: Date;
  /** Who paused it, or null when the application did. */
  pausedBy: string | null;
}

/**
 * Paused queues. The state lives in the storage (`setQueuePaused`), whose claims leave paused
 * queues out, so every engine sharing it stops claiming from a paused queue at once. This engine
 * also keeps the names, so that a task dispatched to a paused queue is stored `waiting` instead
 * of being leased to itself; the names are re-read at start, on a `queue-state` notification and,
 * for storages shared by several processes, once per heartbeat interval (lease / 3). Internal to
 * the engine.
 */
export class QueuePauses {
  readonly #m: ManagementContext;
  #names: ReadonlySet<string> = new Set();
  #timer: unknown;

  constructor(m: ManagementContext) {
    this.#m = m;
  }

  /** Whether this engine knows `queue` as paused. */
  isPaused(queue: string): boolean {
    return this.#names.has(queue);
  }

  /** Keeps the paused queues fresh while the engine runs (read once by `start()` before this). */
  start(): void {
    const ctx = this.#m.engine;
    if (ctx.storage.capabilities.multiProcess) this.#timer = ctx.options.clock.setTimer(() => this.#tick(), ctx.options.heartbeatMs);
  }

  stop(): void {
    this.#m.engine.options.clock.clearTimer(this.#timer);
  }

  /** Re-reads the paused queues from the storage; hands back the buffered tasks of newly paused ones. */
  async refresh(): Promise<void> {
    const paused = await storageCall('pausedQueues', () => this.#m.engine.storage.pausedQueues());
    this.#apply(new Set(paused.map((entry) => entry.queue)));
  }

  async pause(name: string, options: ActionOptions): Promise<boolean> {
    return this.#set(name, true, options);
  }

  async resume(name: string, options: ActionOptions): Promise<boolean> {
    return this.#set(name, false, options);
  }

  async list(): Promise<PausedQueueInfo[]> {
    const paused: PausedQueue[] = await storageCall('pausedQueues', () => this.#m.engine.storage.pausedQueues());
    return paused.map((entry) => ({ queue: entry.queue, pausedAt: new Date(entry.pausedAt), pausedBy: entry.pausedBy }));
  }

  async #set(name: string, paused: boolean, options: ActionOptions): Promise<boolean> {
    const action = paused ? 'pauseQueue' : 'resumeQueue';
    if (typeof name !== 'string') throw new InvalidArgumentError(`${action} takes a queue name; received ${describeValue(name)}.`);
    checkQueueName(name);
    const actor = resolveActor(options, action);
    const ctx = this.#m.engine;
    const now = ctx.options.clock.now();
    const changed = await storageCall('setQueuePaused', () => ctx.storage.setQueuePaused(name, paused, { actor, at: now }));
    const names = new Set(this.#names);
    if (paused) names.add(name);
    else names.delete(name);
    this.#apply(names);
    if (changed) {
      ctx.options.logger.info(`${actor ?? 'The application'} ${paused ? 'paused' : 'resumed'} queue "${name}".`, { actor, queue: name });
      await ctx.storage.notifications?.notify({ kind: 'queue-state' }).catch(() => undefined);
    }
    if (!paused) {
      await notifyAvailable(ctx, now);
      ctx.claims.claimSoon();
    }
    return changed;
  }

  /** Takes the new set of paused names; a queue that became paused hands its buffered tasks back. */
  #apply(names: ReadonlySet<string>): void {
    const ctx = this.#m.engine;
    const resumed = [...this.#names].some((name) => !names.has(name));
    const newlyPaused = [...names].filter((name) => !this.#names.has(name));
    this.#names = names;
    const now = ctx.options.clock.now();
    if (newlyPaused.length > 0) {
      const paused = new Set(newlyPaused);
      for (const task of this.#m.dropBuffered((t) => paused.has(t.queue))) void this.#m.handBack(task, now);
    }
    if (resumed && ctx.isRunning()) ctx.claims.claimSoon();
  }

  #tick(): void {
    const ctx = this.#m.engine;
    if (!ctx.isRunning()) return;
    void this.refresh()
      .catch((error: unknown) => ctx.options.logger.warn(`Reading the paused queues failed: ${toError(error).message}`))
      .finally(() => {
        if (ctx.isRunning()) this.#timer = ctx.options.clock.setTimer(() => this.#tick(), ctx.options.heartbeatMs);
      });
  }
}
