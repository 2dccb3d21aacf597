import type { LocalQueue } from '../engine-context.js';
import type { ResolvedQueue } from '../options.js';
import type { StoredTask } from '../ports/task-record.js';

/** A FIFO with O(1) push and shift. */
class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Removes and returns the items matching the predicate (O(n); used by cancel and stop only). */
  remove(predicate: (item: T) => boolean): T[] {
    const kept: T[] = [];
    const removed: T[] = [];
    for (let i = this.#head; i < this.#items.length; i++) {
      const item = this.#items[i] as T;
      (predicate(item) ? removed : kept).push(item);
    }
    this.#items = kept;
    this.#head = 0;
    return removed;
  }
}

/** Starts a task; calls `done` once when its worker slot is free again. */
export type RunTask = (task: StoredTask, queue: QueueRunner, done: () => void) => void;

/**
 * One named queue in this process: a bounded local buffer of claimed tasks and at most
 * `concurrency` handlers running at once.
 */
export class QueueRunner implements LocalQueue {
  readonly config: ResolvedQueue;
  readonly #buffer = new Fifo<StoredTask>();
  readonly #run: RunTask;
  readonly #onSlotFree: () => void;
  readonly #slotFreed: () => void;
  /** Ids of the tasks this queue holds: buffered, or in a worker slot until it is free again. */
  readonly #held = new Set<string>();
  #running = 0;
  #spaceWaiters: (() => void)[] = [];
  #paused = false;
  #pumping = false;

  /**
   * `run` starts a task and calls `done` exactly once when its worker slot is free again (it may
   * call it synchronously, before returning).
   */
  constructor(config: ResolvedQueue, run: RunTask, onSlotFree: () => void) {
    this.config = config;
    this.#run = run;
    this.#onSlotFree = onSlotFree;
    this.#slotFreed = () => {
      this.#running--;
      this.#pump();
      this.#onSlotFree();
    };
  }

  get name(): string {
    return this.config.name;
  }

  get running(): number {
    return this.#running;
  }

  get buffered(): number {
    return this.#buffer.length;
  }

  /**
   * Ids of the tasks this queue holds, buffered or in a worker slot: the leases the heartbeat
   * renews. A task leased to this instance but not held here (a claim whose answer was lost) is
   * left to lapse, so that it is claimed again.
   */
  get heldIds(): ReadonlySet<string> {
    return this.#held;
  }

  /** Room left in the local buffer. */
  get space(): number {
    return Math.max(0, this.config.capacity - this.#buffer.length);
  }

  /**
   * How many more tasks this queue wants from storage to keep its workers busy: it aims at
   * `2 × concurrency` running or buffered, and asks only once at least half a concurrency's worth
   * is missing, so that claims come in batches rather than one task per freed slot.
   */
  get appetite(): number {
    if (this.#paused) return 0;
    const want = 4 * this.config.concurrency - this.#running - this.#buffer.length;
    return want >= Math.ceil(this.config.concurrency / 2) ? want : 0;
  }

  /** Adds a claimed task; starts it at once when a worker slot is free. */
  push(task: StoredTask): void {
    this.#held.add(task.id);
    this.#buffer.push(task);
    this.#pump();
  }

  /** Resolves when the buffer has room (used by `whenFull: 'wait'`). */
  waitForSpace(): Promise<void> {
    if (this.space > 0) return Promise.resolve();
    return new Promise((resolve) => this.#spaceWaiters.push(resolve));
  }

  /** Removes buffered (not yet started) tasks matching the predicate. */
  remove(predicate: (task: StoredTask) => boolean): StoredTask[] {
    const removed = this.#buffer.remove(predicate);
    for (const task of removed) this.#held.delete(task.id);
    if (removed.length > 0) this.#wakeSpaceWaiters();
    return removed;
  }

  /** Stops starting tasks (buffered ones stay buffered). */
  pause(): void {
    this.#paused = true;
  }

  /** Starts taking and starting tasks again after `pause()`. */
  resume(): void {
    this.#paused = false;
    this.#pump();
  }

  #wakeSpaceWaiters(): void {
    while (this.#spaceWaiters.length > 0 && this.space > 0) this.#spaceWaiters.shift()?.();
  }

  #pump(): void {
    // a task that finishes synchronously frees its slot inside `run`: the loop below picks up the
    // next one instead of recursing
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (!this.#paused && this.#running < this.config.concurrency) {
        const task = this.#buffer.shift();
        if (!task) break;
        this.#running++;
        if (this.#spaceWaiters.length > 0) this.#wakeSpaceWaiters();
        const id = task.id;
        this.#run(task, this, () => {
          this.#held.delete(id);
          this.#slotFreed();
        });
      }
    } finally {
      this.#pumping = false;
    }
  }
}
