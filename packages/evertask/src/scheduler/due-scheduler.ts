import type { Clock, TimerHandle } from '../clock.js';
import type { DueTimes } from '../engine-context.js';
import { IndexedMinHeap } from '../collections/indexed-min-heap.js';

/** Longest single timer; a later due time is reached in several hops (keeps timers sane). */
const MAX_TIMER_MS = 60 * 60 * 1000;

/**
 * Knows when this instance should next look for due work. Holds the due times of the waiting
 * tasks it knows about — an indexed min-heap of the distinct times (O(log n)), each with the set
 * of its task ids, so that the many tasks sharing a time (recurring series on one grid, a batch
 * dispatched together) cost O(1) each — plus an external "storage says something is due at"
 * hint, and keeps exactly one timer set to the earliest. No polling loop: with nothing due, no
 * timer runs and idle CPU is zero.
 */
export class DueScheduler implements DueTimes {
  readonly #clock: Clock;
  readonly #onDue: () => void;
  readonly #times = new IndexedMinHeap<number>();
  readonly #idsAt = new Map<number, Set<string>>();
  readonly #timeOf = new Map<string, number>();
  #hint: number | undefined;
  #timer: TimerHandle | undefined;
  #timerAt: number | undefined;
  #stopped = false;

  constructor(clock: Clock, onDue: () => void) {
    this.#clock = clock;
    this.#onDue = onDue;
  }

  get size(): number {
    return this.#timeOf.size;
  }

  /** Remembers that task `id` is due at `dueAt`. */
  schedule(id: string, dueAt: number): void {
    const old = this.#timeOf.get(id);
    if (old === dueAt) return;
    if (old !== undefined) this.#detach(id, old);
    this.#timeOf.set(id, dueAt);
    let ids = this.#idsAt.get(dueAt);
    if (ids === undefined) {
      ids = new Set();
      this.#idsAt.set(dueAt, ids);
      this.#times.set(dueAt, dueAt);
    }
    ids.add(id);
    this.#arm();
  }

  /** Forgets a task (cancelled, taken elsewhere, ran). */
  unschedule(id: string): void {
    const old = this.#timeOf.get(id);
    if (old === undefined) return;
    this.#timeOf.delete(id);
    this.#detach(id, old);
    this.#arm();
  }

  #detach(id: string, time: number): void {
    const ids = this.#idsAt.get(time) as Set<string>;
    ids.delete(id);
    if (ids.size === 0) {
      this.#idsAt.delete(time);
      this.#times.delete(time);
    }
  }

  /** Storage reports work due at `dueAt` (undefined: nothing known). */
  hint(dueAt: number | undefined): void {
    this.#hint = dueAt;
    this.#arm();
  }

  /** Removes every task due at or before `now` and returns their ids. */
  takeDue(now: number): string[] {
    const out: string[] = [];
    while (this.#times.size > 0 && (this.#times.peekPriority() as number) <= now) {
      const time = this.#times.pop() as number;
      for (const id of this.#idsAt.get(time) as Set<string>) {
        this.#timeOf.delete(id);
        out.push(id);
      }
      this.#idsAt.delete(time);
    }
    if (this.#hint !== undefined && this.#hint <= now) this.#hint = undefined;
    this.#arm();
    return out;
  }

  /** Earliest known due time. */
  nextAt(): number | undefined {
    const top = this.#times.peekPriority();
    if (top === undefined) return this.#hint;
    return this.#hint === undefined ? top : Math.min(top, this.#hint);
  }

  /** Arms timers again after `stop()` (an engine started again). */
  resume(): void {
    this.#stopped = false;
    this.#arm();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#timerAt = undefined;
    this.#times.clear();
    this.#idsAt.clear();
    this.#timeOf.clear();
  }

  #arm(): void {
    if (this.#stopped) return;
    const next = this.nextAt();
    if (next === this.#timerAt) return;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#timerAt = next;
    if (next === undefined) return;
    const wait = Math.max(0, next - this.#clock.now());
    this.#timer = this.#clock.setTimer(() => {
      this.#timer = undefined;
      this.#timerAt = undefined;
      if (wait > MAX_TIMER_MS) this.#arm();
      else this.#onDue();
    }, Math.min(wait, MAX_TIMER_MS));
  }
}
