import type { Clock, TimerHandle } from '../clock.js';

/** A deadline armed with `DeadlineTimers.add`; pass it to `cancel` to disarm it. */
export interface Deadline {
  /** Epoch milliseconds at which the callback is due. */
  readonly at: number;
}

interface Entry extends Deadline {
  callback: (() => void) | undefined;
  readonly lane: Lane;
}

/** The deadlines of one duration, in the order they were added (so in deadline order). */
interface Lane {
  entries: (Entry | undefined)[];
  head: number;
  cancelled: number;
}

/** Cancelled entries a lane may hold before it is compacted (and at least half of it). */
const COMPACT_AT = 1024;

/**
 * Many deadlines on one clock timer: the engine's per-attempt timeouts. Deadlines of one duration
 * are kept in one FIFO lane, which is in deadline order as long as the clock does not go back,
 * so adding and cancelling are O(1) with no timer per deadline; a single clock timer is armed for
 * the earliest head of all lanes. Cancelled deadlines are dropped when they reach the head of
 * their lane or when a lane holds mostly cancelled ones (compaction), so memory follows the
 * armed deadlines, not the cancelled ones.
 *
 * A deadline fires at or after `at` (the clock timer's precision), never before; deadlines of
 * one duration fire in the order they were added. A callback that throws does not keep the
 * others from running; its error is rethrown from a microtask, as an uncaught error of a timer
 * callback would be.
 */
export class DeadlineTimers {
  readonly #clock: Clock;
  readonly #lanes = new Map<number, Lane>();
  #timer: TimerHandle | undefined = undefined;
  #timerAt = Infinity;
  #armed = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Deadlines armed and not yet fired or cancelled. */
  get size(): number {
    return this.#armed;
  }

  /**
   * Calls `callback` once, `durationMs` after `from` (default: now), unless cancelled first. The
   * `from` of successive calls must not go back (the engine passes the time a handler was called,
   * and handlers are called one after another), which keeps each lane in deadline order.
   */
  add(durationMs: number, callback: () => void, from: number = this.#clock.now()): Deadline {
    let lane = this.#lanes.get(durationMs);
    if (lane === undefined) {
      lane = { entries: [], head: 0, cancelled: 0 };
      this.#lanes.set(durationMs, lane);
    }
    const entry: Entry = { at: from + durationMs, callback, lane };
    lane.entries.push(entry);
    this.#armed++;
    if (entry.at < this.#timerAt) this.#arm(entry.at);
    return entry;
  }

  /** Disarms a deadline; nothing happens when it already fired or was cancelled. */
  cancel(deadline: Deadline): void {
    const entry = deadline as Entry;
    if (entry.callback === undefined) return;
    entry.callback = undefined;
    this.#armed--;
    const lane = entry.lane;
    lane.cancelled++;
    this.#dropCancelledHead(lane);
    const pending = lane.entries.length - lane.head;
    if (lane.cancelled >= COMPACT_AT && lane.cancelled * 2 > pending) {
      const kept: Entry[] = [];
      for (let i = lane.head; i < lane.entries.length; i++) {
        const e = lane.entries[i];
        if (e?.callback !== undefined) kept.push(e);
      }
      lane.entries = kept;
      lane.head = 0;
      lane.cancelled = 0;
    }
    if (this.#armed === 0 && this.#timer !== undefined) {
      this.#clock.clearTimer(this.#timer);
      this.#timer = undefined;
      this.#timerAt = Infinity;
    }
  }

  #dropCancelledHead(lane: Lane): void {
    while (lane.head < lane.entries.length) {
      const e = lane.entries[lane.head];
      if (e !== undefined && e.callback !== undefined) break;
      lane.entries[lane.head++] = undefined;
      if (e !== undefined) lane.cancelled--;
    }
    if (lane.head === lane.entries.length) {
      lane.entries = [];
      lane.head = 0;
    } else if (lane.head > COMPACT_AT && lane.head * 2 > lane.entries.length) {
      lane.entries = lane.entries.slice(lane.head);
      lane.head = 0;
    }
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timerAt = at;
    this.#timer = this.#clock.setTimer(() => this.#fire(), Math.max(0, at - this.#clock.now()));
  }

  /** The clock timer fired: run every due deadline, then arm the timer for the earliest left. */
  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.#clock.now();
    const due: (() => void)[] = [];
    let next = Infinity;
    for (const lane of this.#lanes.values()) {
      for (;;) {
        this.#dropCancelledHead(lane);
        const head = lane.entries[lane.head];
        if (head === undefined) break;
        if (head.at > now) {
          if (head.at < next) next = head.at;
          break;
        }
        lane.entries[lane.head++] = undefined;
        due.push(head.callback as () => void);
        head.callback = undefined;
        this.#armed--;
      }
    }
    if (next < Infinity) this.#arm(next);
    for (const callback of due) {
      try {
        callback();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
