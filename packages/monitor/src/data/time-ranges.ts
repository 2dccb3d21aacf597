import type { TimeRange } from '../api-types.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** A half-open window `[from, to)` in epoch ms; `from` undefined means since the beginning. */
export interface TimeWindow {
  from: number | undefined;
  to: number;
}

/** Start of the UTC day containing `at`. */
export function startOfUtcDay(at: number): number {
  return Math.floor(at / DAY_MS) * DAY_MS;
}

/** `today`: since the start of the UTC day; `week`/`month`: the last 7/30 days; `all`: everything. */
export function windowOf(range: TimeRange, now: number): TimeWindow {
  switch (range) {
    case 'today':
      return { from: startOfUtcDay(now), to: now + 1 };
    case 'week':
      return { from: now - 7 * DAY_MS, to: now + 1 };
    case 'month':
      return { from: now - 30 * DAY_MS, to: now + 1 };
    case 'all':
      return { from: undefined, to: now + 1 };
  }
}

/** The span `[from, to)` of `count` consecutive buckets of `sizeMs` ending with the one that contains `now`. */
export function bucketSpan(now: number, sizeMs: number, count: number): { from: number; to: number } {
  const to = Math.floor(now / sizeMs) * sizeMs + sizeMs;
  return { from: to - count * sizeMs, to };
}
