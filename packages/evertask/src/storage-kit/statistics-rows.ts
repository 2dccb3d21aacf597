/**
 * The shared half of `TaskStatistics`: tallies, and the reading of the grouped rows an adapter's
 * one statistics query returns. Every adapter groups by (slot, status) — the slot being the bucket
 * number of a timeline, or the name/queue of a group — and returns one row per group with the
 * count and the execution-time aggregates; these functions check each row and fold the rows into
 * the port's shapes, so the adapters share the assembly and its validation.
 */
import { compareStrings } from '../collections/sorted-insert.js';
import { describeValue } from '../describe-value.js';
import { StorageError } from '../errors.js';
import { TASK_STATUSES, type TaskStatus } from '../ports/task-record.js';
import type { StatusTotals, TaskGroup, TaskTally, TimelineBucket, TimelineRequest } from '../ports/task-statistics.js';
import type { Row } from './row-reader.js';

/**
 * One grouped statistics row, as the adapters' SQL names its columns:
 * `slot` (bucket number or group key), `status`, `n` (tasks), `timed` (`COUNT(execution_time_ms)`
 * of the group), `total_ms`, `min_ms`, `max_ms` (`SUM`, `MIN`, `MAX` of `execution_time_ms`; null
 * when `timed` is 0). The execution-time columns count only in the rows of status `completed`.
 */
export const STATISTICS_ROW_COLUMNS = ['slot', 'status', 'n', 'timed', 'total_ms', 'min_ms', 'max_ms'] as const;

const STATUS_SET: ReadonlySet<unknown> = new Set(TASK_STATUSES);
const NUMERIC_TEXT = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

/** Zero tasks in every status. */
export function emptyStatusTotals(): StatusTotals {
  return Object.fromEntries(TASK_STATUSES.map((status) => [status, 0])) as StatusTotals;
}

/** A tally of no task. */
export function emptyTally(): TaskTally {
  return { counts: emptyStatusTotals(), total: 0, executionTime: null };
}

/** How many buckets a (validated) timeline request answers. */
export function timelineBucketCount(request: Pick<TimelineRequest, 'from' | 'to' | 'bucketMs'>): number {
  return Math.ceil((request.to - request.from) / request.bucketMs);
}

/**
 * Adds `n` tasks of `status` to a tally, and, for `completed`, `timed` execution times of sum
 * `totalMs`, min `minMs` and max `maxMs` (ignored when `timed` is 0).
 */
export function addToTally(tally: TaskTally, status: TaskStatus, n: number, timed = 0, totalMs = 0, minMs = 0, maxMs = 0): void {
  tally.counts[status] += n;
  tally.total += n;
  if (status !== 'completed' || timed === 0) return;
  const previous = tally.executionTime;
  const count = (previous?.count ?? 0) + timed;
  const sum = (previous?.totalMs ?? 0) + totalMs;
  tally.executionTime = {
    count,
    totalMs: sum,
    meanMs: sum / count,
    minMs: previous === null ? minMs : Math.min(previous.minMs, minMs),
    maxMs: previous === null ? maxMs : Math.max(previous.maxMs, maxMs),
  };
}

/** A driver's number (a `bigint`, numeric text from `pg`/`mysql2`, or a number) as a number. */
function toNumber(raw: unknown): unknown {
  if (typeof raw === 'bigint') return Number(raw);
  if (typeof raw === 'string' && NUMERIC_TEXT.test(raw)) return Number(raw);
  return raw;
}

interface ReadRow {
  slot: unknown;
  status: TaskStatus;
  n: number;
  timed: number;
  totalMs: number;
  minMs: number;
  maxMs: number;
}

function malformed(storageName: string, row: Row, column: string, expected: string): StorageError {
  return new StorageError(
    `${storageName} read a malformed statistics row: column "${column}" holds ${describeValue(row[column])}, expected ${expected}. ` +
      'The stored data was changed outside EverTask (a status or an execution time no task can have); repair or delete those task rows.',
  );
}

function readStatisticsRow(row: Row, storageName: string): ReadRow {
  const status = row['status'];
  if (!STATUS_SET.has(status)) throw malformed(storageName, row, 'status', `one of ${TASK_STATUSES.join(', ')}`);
  const n = toNumber(row['n']);
  const timed = toNumber(row['timed'] ?? 0);
  if (!Number.isSafeInteger(n) || (n as number) <= 0) throw malformed(storageName, row, 'n', 'a positive integer');
  if (!Number.isSafeInteger(timed) || (timed as number) < 0 || (timed as number) > (n as number)) {
    throw malformed(storageName, row, 'timed', 'an integer from 0 to the row count');
  }
  const out: ReadRow = { slot: row['slot'], status: status as TaskStatus, n: n as number, timed: timed as number, totalMs: 0, minMs: 0, maxMs: 0 };
  if (out.timed === 0) return out;
  for (const [column, field] of [['total_ms', 'totalMs'], ['min_ms', 'minMs'], ['max_ms', 'maxMs']] as const) {
    const value = toNumber(row[column]);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw malformed(storageName, row, column, 'a finite number of milliseconds');
    out[field] = value;
  }
  return out;
}

/**
 * The buckets of a timeline from the grouped rows (`slot` = the bucket number
 * `floor((created_at - from) / bucketMs)`), every bucket of the request present.
 */
export function timelineFromRows(rows: readonly Row[], request: TimelineRequest, storageName: string): TimelineBucket[] {
  const buckets: TimelineBucket[] = Array.from({ length: timelineBucketCount(request) }, (_, i) => ({
    start: request.from + i * request.bucketMs,
    ...emptyTally(),
  }));
  for (const row of rows) {
    const read = readStatisticsRow(row, storageName);
    const index = toNumber(read.slot);
    const bucket = Number.isSafeInteger(index) ? buckets[index as number] : undefined;
    if (bucket === undefined) throw malformed(storageName, row, 'slot', `a bucket number from 0 to ${buckets.length - 1}`);
    addToTally(bucket, read.status, read.n, read.timed, read.totalMs, read.minMs, read.maxMs);
  }
  return buckets;
}

/** The groups from the grouped rows (`slot` = the task name or queue), ordered by key. */
export function groupsFromRows(rows: readonly Row[], storageName: string): TaskGroup[] {
  const groups = new Map<string, TaskGroup>();
  for (const row of rows) {
    const read = readStatisticsRow(row, storageName);
    if (typeof read.slot !== 'string' || read.slot.length === 0) throw malformed(storageName, row, 'slot', 'a non-empty name');
    let group = groups.get(read.slot);
    if (group === undefined) {
      group = { key: read.slot, ...emptyTally() };
      groups.set(read.slot, group);
    }
    addToTally(group, read.status, read.n, read.timed, read.totalMs, read.minMs, read.maxMs);
  }
  return [...groups.values()].sort((a, b) => compareStrings(a.key, b.key));
}
