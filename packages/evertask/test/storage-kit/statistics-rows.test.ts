import { describe, expect, it } from 'vitest';
import { groupsFromRows, timelineFromRows } from 'evertask/storage-kit';

const request = { from: 1_000, to: 4_000, bucketMs: 1_000 };

describe('statistics rows', () => {
  it('folds grouped rows into every bucket of the request, converting driver numbers', () => {
    const buckets = timelineFromRows(
      [
        { slot: 0, status: 'completed', n: '3', timed: 2n, total_ms: '30.5', min_ms: 10, max_ms: '20.5' },
        { slot: '0', status: 'failed', n: 1, timed: 0, total_ms: null, min_ms: null, max_ms: null },
        { slot: 2n, status: 'waiting', n: 4, timed: 0, total_ms: null, min_ms: null, max_ms: null },
      ],
      request,
      'TestStorage',
    );
    expect(buckets.map((bucket) => [bucket.start, bucket.total])).toEqual([[1_000, 4], [2_000, 0], [3_000, 4]]);
    expect(buckets[0]?.counts).toMatchObject({ completed: 3, failed: 1 });
    expect(buckets[0]?.executionTime).toEqual({ count: 2, totalMs: 30.5, meanMs: 15.25, minMs: 10, maxMs: 20.5 });
    expect(buckets[1]?.executionTime).toBeNull();
  });

  it('merges the rows of one group and orders the groups by key', () => {
    const groups = groupsFromRows(
      [
        { slot: 'b', status: 'completed', n: 1, timed: 1, total_ms: 5, min_ms: 5, max_ms: 5 },
        { slot: 'a', status: 'cancelled', n: 2, timed: 0 },
        { slot: 'b', status: 'completed', n: 2, timed: 2, total_ms: 7, min_ms: 1, max_ms: 6 },
      ],
      'TestStorage',
    );
    expect(groups.map((group) => group.key)).toEqual(['a', 'b']);
    expect(groups[1]?.executionTime).toEqual({ count: 3, totalMs: 12, meanMs: 4, minMs: 1, maxMs: 6 });
  });

  it('throws StorageError naming the column and the value of a malformed row', () => {
    const good = { slot: 0, status: 'completed', n: 1, timed: 1, total_ms: 1, min_ms: 1, max_ms: 1 };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...good, status: 'running' }, /column "status" holds "running"/],
      [{ ...good, n: -1 }, /column "n" holds -1/],
      [{ ...good, timed: 2 }, /column "timed" holds 2/],
      [{ ...good, total_ms: 'lots' }, /column "total_ms" holds "lots"/],
      [{ ...good, slot: 3 }, /column "slot" holds 3, expected a bucket number from 0 to 2/],
      [{ ...good, slot: 0.5 }, /column "slot"/],
    ];
    for (const [row, message] of cases) {
      expect(() => timelineFromRows([row], request, 'TestStorage')).toThrow(expect.objectContaining({ code: 'ERR_STORAGE', message: expect.stringMatching(message) }));
    }
    expect(() => groupsFromRows([{ ...good, slot: '' }], 'TestStorage')).toThrow(/TestStorage read a malformed statistics row: column "slot"/);
  });
});
