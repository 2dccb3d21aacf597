import type { ClaimRounds, ClaimerContext, LocalQueue } from '../engine-context.js';
import type { ResolvedOptions } from '../options.js';
import type { StoredTask } from '../ports/task-record.js';
import type { TaskTransition } from '../ports/task-storage.js';
import type { InstanceRegistration } from './instance-registration.js';
import { toError } from '../errors.js';

/** Microtask turns a claim round waits, at most, for the tasks it just handed out to start. */
const SETTLE_HOPS = 64;

/**
 * Takes due work from the storage into the local queues: the claim loop, handing back claimed
 * tasks that will not run here, the lease heartbeat, the safety sweep and, with a stable instance
 * id, taking back the leases of a previous run. Internal to the engine.
 */
export class Claimer implements ClaimRounds {
  readonly #ctx: ClaimerContext;
  readonly #options: ResolvedOptions;
  readonly #registration: InstanceRegistration;
  /** The registered task names: this instance claims only tasks it can run. */
  readonly #taskNames: readonly string[];
  #pumping = false;
  #pumpAgain = false;
  #pumpDone: Promise<void> = Promise.resolve();
  #storageMayHaveDue = true;
  #skippedQueues = new Set<string>();
  #heartbeatTimer: unknown;
  #sweepTimer: unknown;

  constructor(ctx: ClaimerContext, registration: InstanceRegistration) {
    this.#ctx = ctx;
    this.#registration = registration;
    this.#options = ctx.options;
    this.#taskNames = [...ctx.options.tasks.keys()];
  }

  /** Starts the lease heartbeat and, where other processes share the storage, the safety sweep. */
  start(): void {
    this.#heartbeatTimer = this.#options.clock.setTimer(() => this.#heartbeat(), this.#options.heartbeatMs);
    // the safety sweep finds work other processes stored; a storage no other process can share
    // has none to find (every local write wakes the scheduler itself)
    if (this.#ctx.storage.capabilities.multiProcess) this.#sweepTimer = this.#options.clock.setTimer(() => this.#sweep(), this.#options.sweepMs);
  }

  /** Stops the timers of `start`. */
  stop(): void {
    this.#options.clock.clearTimer(this.#heartbeatTimer);
    this.#options.clock.clearTimer(this.#sweepTimer);
  }

  /** Resolves once a claim round under way has ended. */
  idle(): Promise<void> {
    return this.#pumpDone;
  }

  /** Marks that the storage may have due work and runs a claim round; resolves when it ends. */
  claim(): Promise<void> {
    this.#storageMayHaveDue = true;
    return this.#pump();
  }

  /** Marks that the storage may have due work and starts a claim round, not awaited. */
  claimSoon(): void {
    void this.claim();
  }

  /** A worker slot was freed: claim more when the storage may have some. */
  onSlotFree(): void {
    if (!this.#ctx.isRunning()) return;
    if (!this.#storageMayHaveDue && this.#skippedQueues.size === 0) return;
    if (this.#pumping) this.#pumpAgain = true; // what #pump would do, without a promise per freed slot
    else void this.#pump();
  }

  async #pump(): Promise<void> {
    if (!this.#ctx.isRunning()) return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    let done!: () => void;
    this.#pumpDone = new Promise<void>((resolve) => (done = resolve));
    let handedOut = false;
    try {
      do {
        this.#pumpAgain = false;
        const now = this.#options.clock.now();
        this.#ctx.dueTimes.takeDue(now);
        const hungry: LocalQueue[] = [];
        let limit = 0;
        for (const q of this.#ctx.queues.values()) {
          if (q.appetite > 0) {
            hungry.push(q);
            limit += q.appetite;
          }
        }
        if (hungry.length === 0) break;
        if (!this.#storageMayHaveDue && !hungry.some((q) => this.#skippedQueues.has(q.name))) break;
        if (handedOut && hungry.length < this.#ctx.queues.size) {
          // the last claim just filled some queue: let its tasks run first (short async handlers
          // finish within a few microtasks) rather than claim for the other queues alone, a
          // round trip that mostly finds nothing while the full queue drains; waiting in
          // microtasks keeps the round in this turn, so its status changes still batch together
          handedOut = false;
          this.#pumpAgain = true;
          for (let hop = 0; hop < SETTLE_HOPS && this.#someTaskWaitsForASlot(); hop++) await Promise.resolve();
          continue;
        }
        this.#skippedQueues = new Set([...this.#ctx.queues.keys()].filter((n) => !hungry.some((q) => q.name === n)));
        const claimed = await this.#ctx.storage.claimDue({
          owner: this.#options.instanceId,
          now,
          limit,
          leaseMs: this.#options.leaseMs,
          names: this.#taskNames,
          ...(hungry.length === this.#ctx.queues.size ? {} : { queues: hungry.map((q) => q.name) }),
        });
        if (!this.#ctx.isRunning()) {
          // stop() began while claiming: hand these back at once
          await Promise.allSettled(claimed.map((task) => this.handBack(task, this.#options.clock.now())));
          return;
        }
        for (const task of claimed) {
          this.#ctx.dueTimes.unschedule(task.id);
          const queue = this.#ctx.queues.get(task.queue) ?? (this.#ctx.queues.get('default') as LocalQueue);
          // an attempt that started but recorded no outcome: its process crashed or was stopped
          if (task.attempts > 0 && task.error === null) {
            this.#ctx.emitter.emit('task:recovered', { taskId: task.id, taskName: task.name, queue: task.queue, at: now, previousStatus: 'in-progress' });
          }
          queue.push(task);
        }
        this.#storageMayHaveDue = claimed.length >= limit;
        if (this.#storageMayHaveDue) this.#pumpAgain = true;
        handedOut = claimed.length > 0;
      } while (this.#pumpAgain && this.#ctx.isRunning());
      if (this.#ctx.isRunning() && !this.#storageMayHaveDue) {
        const next = await this.#ctx.storage.nextDueAt(undefined, this.#taskNames);
        this.#ctx.dueTimes.hint(next);
      }
    } catch (error) {
      const err = toError(error);
      this.#options.logger.error(`Claiming due tasks failed: ${err.message}`, { error: err });
      this.#ctx.emitter.emit('storage:error', { operation: 'claimDue', error: err, willRetry: true, at: this.#options.clock.now() });
      this.#ctx.dueTimes.hint(this.#options.clock.now() + 1000);
    } finally {
      this.#pumping = false;
      done();
    }
  }

  /** True while some queue holds claimed tasks that have not started yet. */
  #someTaskWaitsForASlot(): boolean {
    for (const q of this.#ctx.queues.values()) if (q.buffered > 0) return true;
    return false;
  }

  /** Returns a claimed task that will not run here to the storage, due as before. */
  handBack(task: StoredTask, now: number): Promise<boolean> {
    return this.#ctx.writer.transition({
      id: task.id,
      from: ['queued'],
      owner: this.#options.instanceId,
      to: 'waiting',
      at: now,
      patch: { leaseOwner: null, leaseExpiresAt: null, dueAt: task.dueAt ?? now },
    });
  }

  #heartbeat(): void {
    if (!this.#ctx.isRunning()) return;
    const now = this.#options.clock.now();
    // only the leases of tasks held here (buffered or in a worker slot, which running ones are):
    // one this instance lost track of lapses and is claimed again
    const held: string[] = [];
    for (const q of this.#ctx.queues.values()) held.push(...q.heldIds);
    const renewal = held.length === 0 ? Promise.resolve(0) : this.#ctx.storage.renewLeases(this.#options.instanceId, now, this.#options.leaseMs, held);
    const renewed = renewal.catch((error: unknown) => {
      const err = toError(error);
      this.#options.logger.error(`Lease renewal failed: ${err.message}`, { error: err });
      this.#ctx.emitter.emit('storage:error', { operation: 'renewLeases', error: err, willRetry: true, at: now });
    });
    void Promise.all([renewed, this.#registration.beat(now)]).finally(() => {
      if (this.#ctx.isRunning()) this.#heartbeatTimer = this.#options.clock.setTimer(() => this.#heartbeat(), this.#options.heartbeatMs);
    });
  }

  #sweep(): void {
    if (!this.#ctx.isRunning()) return;
    this.#storageMayHaveDue = true;
    void this.#pump().finally(() => {
      if (this.#ctx.isRunning()) this.#sweepTimer = this.#options.clock.setTimer(() => this.#sweep(), this.#options.sweepMs);
    });
  }

  /** With a stable instance id, tasks this id held before a crash are taken back at once. */
  async takeBackOwnLeases(): Promise<void> {
    const now = this.#options.clock.now();
    const mine: TaskTransition[] = [];
    let cursor: { createdAt: number; id: string } | undefined;
    for (;;) {
      const page = await this.#ctx.storage.pending(cursor, 500);
      for (const t of page) {
        if (t.leaseOwner === this.#options.instanceId && (t.status === 'queued' || t.status === 'in-progress')) {
          mine.push({ id: t.id, from: [t.status], owner: this.#options.instanceId, to: 'queued', at: now, patch: { leaseExpiresAt: now - 1 } });
        }
      }
      const last = page.at(-1);
      if (!last || page.length < 500) break;
      cursor = { createdAt: last.createdAt, id: last.id };
    }
    if (mine.length > 0) await this.#ctx.storage.transition(mine);
  }
}
