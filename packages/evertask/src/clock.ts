/** Opaque handle returned by `Clock.setTimer`. */
export type TimerHandle = unknown;

/**
 * Time source of the engine. Inject a `ManualClock` (from `evertask/testing`) to make time logic
 * exact and fast in tests.
 */
export interface Clock {
  /** Current time, epoch milliseconds. */
  now(): number;
  /** Calls `callback` after `ms` milliseconds. */
  setTimer(callback: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** The real clock: `Date.now()` and Node timers (unref'd, so an idle engine never keeps a process alive). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(callback, ms) {
    const handle = setTimeout(callback, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    handle.unref?.();
    return handle;
  },
  clearTimer(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};
