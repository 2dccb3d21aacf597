import { describe, expect, it } from 'vitest';
import { buckets, mapLimited, startOfUtcDay, windowOf } from '../../src/data/time-ranges.js';

const NOW = Date.UTC(2026, 11, 3, 12, 30);
const DAY = 86_400_000;

describe('time ranges', () => {
  it('opens today at 00:00 UTC, the week and month as the last 7 and 30 days, all without a start', () => {
    expect(windowOf('today', NOW)).toEqual({ from: Date.UTC(2026, 11, 3), to: NOW + 1 });
    expect(windowOf('week', NOW)).toEqual({ from: NOW - 7 * DAY, to: NOW + 1 });
    expect(windowOf('month', NOW)).toEqual({ from: NOW - 30 * DAY, to: NOW + 1 });
    expect(windowOf('all', NOW)).toEqual({ from: undefined, to: NOW + 1 });
    expect(startOfUtcDay(NOW)).toBe(Date.UTC(2026, 11, 3));
  });

  it('cuts consecutive buckets ending with the one holding now, oldest first', () => {
    const hours = buckets(NOW, 3_600_000, 3);
    expect(hours.map((hour) => new Date(hour.from as number).toISOString())).toEqual(['2026-12-03T10:00:00.000Z', '2026-12-03T11:00:00.000Z', '2026-12-03T12:00:00.000Z']);
    expect(hours.every((hour) => hour.to - (hour.from as number) === 3_600_000)).toBe(true);
  });

  it('maps with bounded concurrency, keeping the order', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapLimited([5, 1, 4, 2, 3], 2, async (value) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return value * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
    expect(await mapLimited([], 3, async () => 1)).toEqual([]);
  });
});
