import { describe, expect, it } from 'vitest';
import { bucketSpan, startOfUtcDay, windowOf } from '../../src/data/time-ranges.js';

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

  it('spans consecutive buckets ending with the one holding now', () => {
    expect(bucketSpan(NOW, 3_600_000, 3)).toEqual({ from: Date.UTC(2026, 11, 3, 10), to: Date.UTC(2026, 11, 3, 13) });
    expect(bucketSpan(Date.UTC(2026, 11, 3), DAY, 1)).toEqual({ from: Date.UTC(2026, 11, 3), to: Date.UTC(2026, 11, 4) });
  });
});
