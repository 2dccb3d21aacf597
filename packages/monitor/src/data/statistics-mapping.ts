/**
 * Overview, queue metrics and statistics mapped from the storage's `TaskStatistics`: the storage
 * computes every figure in one grouped query over its indexes (`taskGroups`, `taskTimeline`), with
 * true execution-time averages over every completed task; this module only shapes the answers.
 * Each function says how many storage calls it makes.
 *
 * Every figure places a task by its creation time and counts it under its current status (the
 * port's rule): "today's success rate" is that of the tasks created today.
 */
import {
  TASK_STATUSES,
  type StatusCount,
  type TaskGroup,
  type TaskStatistics,
  type TaskStatus,
  type TaskTally,
  type TimelineBucket,
} from 'evertask';
import { addToTally, emptyTally } from 'evertask/storage-kit';
import type { ExecutionTimeBucket, Overview, QueueMetrics, QueueSummary, TaskTypeCount, TimeRange } from '../api-types.js';
import type { MonitorSource } from './monitor-source.js';
import { bucketSpan, DAY_MS, HOUR_MS, startOfUtcDay, windowOf, type TimeWindow } from './time-ranges.js';

/** What the mappings read: the storage's statistics and the engine's own view. */
export interface StatisticsReader extends Pick<MonitorSource, 'now' | 'configuration' | 'localQueues' | 'countTasks'> {
  readonly statistics: Pick<TaskStatistics, 'taskGroups' | 'taskTimeline'>;
}

const PENDING: readonly TaskStatus[] = ['waiting', 'queued', 'service-stopped'];

const iso = (ms: number): string => new Date(ms).toISOString();
const round2 = (value: number): number => Math.round(value * 100) / 100;

/** Totals per status of a list of count cells. */
export function byStatus(cells: readonly StatusCount[]): Record<TaskStatus, number> {
  const out = Object.fromEntries(TASK_STATUSES.map((status) => [status, 0])) as Record<TaskStatus, number>;
  for (const cell of cells) out[cell.status] += cell.count;
  return out;
}

/** completed / (completed + failed) in percent, rounded to 0.01, or null when neither. */
export function successRate(completed: number, failed: number): number | null {
  return completed + failed === 0 ? null : round2((completed / (completed + failed)) * 100);
}

/** The tallies of several groups as one (counts added, execution times merged exactly). */
function combine(tallies: readonly TaskTally[]): TaskTally {
  const out = emptyTally();
  for (const tally of tallies) {
    for (const status of TASK_STATUSES) addToTally(out, status, tally.counts[status]);
    const times = tally.executionTime;
    if (times !== null) addToTally(out, 'completed', 0, times.count, times.totalMs, times.minMs, times.maxMs);
  }
  return out;
}

/** The mean execution time (rounded to 0.01 ms) and how many completed tasks it averages. */
function average(tally: TaskTally): { avg: number | null; size: number } {
  return tally.executionTime === null ? { avg: null, size: 0 } : { avg: round2(tally.executionTime.meanMs), size: tally.executionTime.count };
}

function queueSummaries(cells: readonly StatusCount[], throttled: ReadonlyMap<string, number>): QueueSummary[] {
  const byQueue = new Map<string, StatusCount[]>();
  for (const cell of cells) byQueue.set(cell.queue, [...(byQueue.get(cell.queue) ?? []), cell]);
  return [...byQueue.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([queueName, queueCells]) => {
      const counts = byStatus(queueCells);
      return {
        queueName,
        pendingCount: PENDING.reduce((sum, status) => sum + counts[status], 0),
        inProgressCount: counts['in-progress'],
        completedCount: counts.completed,
        failedCount: counts.failed,
        cancelledCount: counts.cancelled,
        throttledCount: throttled.get(queueName) ?? 0,
      };
    });
}

/** The tasks of a window (every task when omitted) grouped by queue: one `taskGroups` call. */
function queuesIn(reader: StatisticsReader, window?: TimeWindow): Promise<TaskGroup[]> {
  if (window === undefined) return reader.statistics.taskGroups({ groupBy: 'queue' });
  return reader.statistics.taskGroups({ groupBy: 'queue', ...(window.from === undefined ? {} : { from: window.from }), to: window.to });
}

/** `count` consecutive buckets of `sizeMs` ending with the one that contains `now` (one `taskTimeline` call). */
function lastBuckets(reader: StatisticsReader, now: number, sizeMs: number, count: number): Promise<TimelineBucket[]> {
  return reader.statistics.taskTimeline({ ...bucketSpan(now, sizeMs, count), bucketMs: sizeMs });
}

/**
 * The overview: 2 `taskGroups` calls (today, the week; a third for the range when it is `month`
 * or `all`), 1 `count` (every task by queue and status: the distribution and the queue
 * summaries, no execution times needed) and 1 `taskTimeline` (the last 24 hours).
 */
export async function mapOverview(reader: StatisticsReader, range: TimeRange, throttled: ReadonlyMap<string, number>): Promise<Omit<Overview, 'recentActivity'>> {
  const now = reader.now();
  const [today, week, grid, hourly, wider] = await Promise.all([
    queuesIn(reader, windowOf('today', now)),
    queuesIn(reader, windowOf('week', now)),
    reader.countTasks({}),
    lastBuckets(reader, now, HOUR_MS, 24),
    range === 'month' ? queuesIn(reader, windowOf('month', now)) : range === 'all' ? queuesIn(reader) : undefined,
  ]);
  const inRange = range === 'today' ? today : range === 'week' ? week : (wider ?? []);
  const rangeTally = combine(inRange);
  const rangeAverage = average(rangeTally);
  return {
    range,
    totalTasksToday: combine(today).total,
    totalTasksWeek: combine(week).total,
    totalTasksInRange: rangeTally.total,
    successRate: successRate(rangeTally.counts.completed, rangeTally.counts.failed),
    failedCount: rangeTally.counts.failed,
    avgExecutionTimeMs: rangeAverage.avg,
    avgSampleSize: rangeAverage.size,
    statusDistribution: byStatus(grid),
    tasksOverTime: hourly.map((bucket) => ({ timestamp: iso(bucket.start), completed: bucket.counts.completed, failed: bucket.counts.failed, total: bucket.total })),
    queueSummaries: queueSummaries(grid, throttled),
    throttledTasks: [...throttled.values()].reduce((a, b) => a + b, 0),
  };
}

/** Every configured or stored queue: 1 `taskGroups` call. */
export async function mapQueueMetrics(reader: StatisticsReader, throttled: ReadonlyMap<string, number>): Promise<QueueMetrics[]> {
  const groups = new Map((await reader.statistics.taskGroups({ groupBy: 'queue' })).map((group) => [group.key, group]));
  const configured = new Map(reader.configuration().queues.map((queue) => [queue.name, queue]));
  const local = new Map(reader.localQueues().map((queue) => [queue.queue, queue]));
  const names = [...new Set([...configured.keys(), ...groups.keys()])].sort((a, b) => a.localeCompare(b));
  return names.map((queueName): QueueMetrics => {
    const config = configured.get(queueName);
    const group = groups.get(queueName);
    const counts = group?.counts;
    const completed = counts?.completed ?? 0;
    const failed = counts?.failed ?? 0;
    return {
      queueName,
      configured: config !== undefined,
      concurrency: config?.concurrency ?? null,
      capacity: config?.capacity ?? null,
      whenFull: config?.whenFull ?? null,
      timeoutMs: config?.timeoutMs ?? null,
      running: local.get(queueName)?.running ?? 0,
      buffered: local.get(queueName)?.buffered ?? 0,
      totalTasks: group?.total ?? 0,
      pendingTasks: counts === undefined ? 0 : PENDING.reduce((sum, status) => sum + counts[status], 0),
      inProgressTasks: counts?.['in-progress'] ?? 0,
      completedTasks: completed,
      failedTasks: failed,
      cancelledTasks: counts?.cancelled ?? 0,
      throttledCount: throttled.get(queueName) ?? 0,
      successRate: successRate(completed, failed),
      avgExecutionTimeMs: group === undefined ? null : average(group).avg,
    };
  });
}

/** Success rate per UTC day of creation (7, 30 or 90 days): 1 `taskTimeline` call. */
export async function mapSuccessRateTrend(reader: StatisticsReader, days: number): Promise<{ timestamps: string[]; successRates: (number | null)[] }> {
  const end = startOfUtcDay(reader.now()) + DAY_MS;
  const buckets = await reader.statistics.taskTimeline({ from: end - days * DAY_MS, to: end, bucketMs: DAY_MS });
  return { timestamps: buckets.map((bucket) => iso(bucket.start)), successRates: buckets.map((bucket) => successRate(bucket.counts.completed, bucket.counts.failed)) };
}

/** Tasks created in the range per stored task name, most first: 1 `taskGroups` call. */
export async function mapTaskTypes(reader: StatisticsReader, range: TimeRange): Promise<TaskTypeCount[]> {
  const window = windowOf(range, reader.now());
  const groups = await reader.statistics.taskGroups({ groupBy: 'name', ...(window.from === undefined ? {} : { from: window.from }), to: window.to });
  return groups.map((group) => ({ name: group.key, count: group.total })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

/**
 * Mean execution time of the tasks created in each hour (`today`: the last 24) or day (`week`: 7;
 * `month` and `all`: 30), over every completed task of the bucket: 1 `taskTimeline` call.
 */
export async function mapExecutionTimes(reader: StatisticsReader, range: TimeRange): Promise<ExecutionTimeBucket[]> {
  const buckets = range === 'today' ? await lastBuckets(reader, reader.now(), HOUR_MS, 24) : await lastBuckets(reader, reader.now(), DAY_MS, range === 'week' ? 7 : 30);
  return buckets.map((bucket) => {
    const { avg, size } = average(bucket);
    return { timestamp: iso(bucket.start), avgExecutionTimeMs: avg, sampleSize: size };
  });
}
