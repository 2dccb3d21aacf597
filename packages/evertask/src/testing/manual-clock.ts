import type { Clock, TimerHandle } from '../clock.js';
import { IndexedMinHeap } from '../collections/indexed-min-heap.js';

interface ManualTimer {
  id: number;
  at: number;
  callback: () => void;
}

/**
 * A clock that only moves when told to. Timers fire, in time order, during `advance`/`set`.
 * Use it for exact, fast tests of delays, retries, timeouts and schedules.
 */
export class ManualClock implements Clock {
  #now: number;
  #timers = new Map<number, ManualTimer>();
  #heap = new IndexedMinHeap<number>();
  #nextId = 1;

  constructor(start: Date | number = Date.UTC(2026, 0, 1)) {
    this.#now = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    const at = this.#now + Math.max(0, ms);
    this.#timers.set(id, { id, at, callback });
    this.#heap.set(id, at);
    return id;
  }

  clearTimer(handle: TimerHandle): void {
    if (typeof handle !== 'number') return;
    this.#timers.delete(handle);
    this.#heap.delete(handle);
  }

  /** Number of timers waiting to fire. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /**
   * Moves time forward by `ms`, firing due timers in order. Between timers it yields to the
   * event loop so that promise chains started by a timer settle before the next one fires.
   */
  async advance(ms: number): Promise<void> {
    await this.set(this.#now + ms);
  }

  /** Moves time to `time`, firing due timers in order. */
  async set(time: Date | number): Promise<void> {
    const target = typeof time === 'number' ? time : time.getTime();
    await settle();
    for (;;) {
      const id = this.#heap.peek();
      const at = this.#heap.peekPriority();
      if (id === undefined || at === undefined || at > target) break;
      this.#heap.pop();
      const timer = this.#timers.get(id);
      this.#timers.delete(id);
      if (at > this.#now) this.#now = at;
      timer?.callback();
      await settle();
    }
    if (target > this.#now) this.#now = target;
    await settle();
  }
}

/** Lets pending promise callbacks and I/O callbacks run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
