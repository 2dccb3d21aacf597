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

/** `count` consecutive buckets of `sizeMs` ending with the one that contains `now`, oldest first. */
export function buckets(now: number, sizeMs: number, count: number): TimeWindow[] {
  const lastStart = Math.floor(now / sizeMs) * sizeMs;
  const out: TimeWindow[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const from = lastStart - i * sizeMs;
    out.push({ from, to: from + sizeMs });
  }
  return out;
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results in order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
