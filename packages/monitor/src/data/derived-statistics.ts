/**
 * Overview, queue metrics and statistics derived from the storage port's `count()` and `query()`
 * with filters: never a whole table in memory. Each function says what it costs in storage calls.
 *
 * NEXT SESSION (issue 9, storage half): these move into storage-port methods computed in the
 * storage with its indexes (one grouped query each instead of one `count()` per bucket, true
 * averages instead of a sample, task names from the storage instead of this engine's definitions).
 */
import { TASK_STATUSES, type StatusCount, type TaskFilter, type TaskStatus } from 'evertask';
import type { ExecutionTimeBucket, Overview, QueueMetrics, QueueSummary, TaskTypeCount, TimeBucket, TimeRange } from '../api-types.js';
import type { MonitorSource } from './monitor-source.js';
import { buckets, DAY_MS, HOUR_MS, mapLimited, startOfUtcDay, windowOf, type TimeWindow } from './time-ranges.js';

/** What the derivations read. */
export type StatisticsReader = Pick<MonitorSource, 'countTasks' | 'queryTasks' | 'now' | 'configuration' | 'localQueues'>;

/** Storage calls in flight at once for the bucketed statistics. */
const PARALLEL_CALLS = 6;

const PENDING: readonly TaskStatus[] = ['waiting', 'queued', 'service-stopped'];

const iso = (ms: number): string => new Date(ms).toISOString();

function windowFilter(window: TimeWindow): TaskFilter {
  return window.from === undefined ? { createdBefore: window.to } : { createdAfter: window.from, createdBefore: window.to };
}

/** Totals per status of a list of count cells. */
export function byStatus(cells: readonly StatusCount[]): Record<TaskStatus, number> {
  const out = Object.fromEntries(TASK_STATUSES.map((status) => [status, 0])) as Record<TaskStatus, number>;
  for (const cell of cells) out[cell.status] += cell.count;
  return out;
}

const total = (cells: readonly StatusCount[]): number => cells.reduce((sum, cell) => sum + cell.count, 0);

/** completed / (completed + failed) in percent, rounded to 0.01, or null when neither. */
export function successRate(completed: number, failed: number): number | null {
  return completed + failed === 0 ? null : Math.round((completed / (completed + failed)) * 10_000) / 100;
}

/**
 * Mean execution time of the latest `sampleSize` completed tasks matching `filter` (one `query`).
 * A sample, not the mean of the whole window: the port has no average yet.
 */
async function sampledAverage(reader: StatisticsReader, filter: TaskFilter, sampleSize: number): Promise<{ avg: number | null; size: number }> {
  const page = await reader.queryTasks({ ...filter, statuses: ['completed'] }, { limit: sampleSize, sortBy: 'lastExecutionAt', descending: true });
  const times = page.items.map((task) => task.executionTimeMs).filter((ms): ms is number => ms !== null);
  if (times.length === 0) return { avg: null, size: 0 };
  return { avg: Math.round((times.reduce((a, b) => a + b, 0) / times.length) * 100) / 100, size: times.length };
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

/**
 * The overview: about 30 storage calls (3 `count` for the totals and the grid, 24 hourly `count`
 * for the last day, 1 `query` for the average sample).
 */
export async function deriveOverview(
  reader: StatisticsReader,
  range: TimeRange,
  throttled: ReadonlyMap<string, number>,
  sampleSize: number,
): Promise<Omit<Overview, 'recentActivity'>> {
  const now = reader.now();
  const window = windowOf(range, now);
  const [today, week, inRange, grid, average, hourly] = await Promise.all([
    reader.countTasks(windowFilter(windowOf('today', now))),
    reader.countTasks(windowFilter(windowOf('week', now))),
    reader.countTasks(windowFilter(window)),
    reader.countTasks({}),
    sampledAverage(reader, windowFilter(window), sampleSize),
    mapLimited(buckets(now, HOUR_MS, 24), PARALLEL_CALLS, async (hour): Promise<TimeBucket> => {
      const counts = byStatus(await reader.countTasks(windowFilter(hour)));
      const all = Object.values(counts).reduce((a, b) => a + b, 0);
      return { timestamp: iso(hour.from as number), completed: counts.completed, failed: counts.failed, total: all };
    }),
  ]);
  const rangeCounts = byStatus(inRange);
  return {
    range,
    totalTasksToday: total(today),
    totalTasksWeek: total(week),
    totalTasksInRange: total(inRange),
    successRate: successRate(rangeCounts.completed, rangeCounts.failed),
    failedCount: rangeCounts.failed,
    avgExecutionTimeMs: average.avg,
    avgSampleSize: average.size,
    statusDistribution: byStatus(grid),
    tasksOverTime: hourly,
    queueSummaries: queueSummaries(grid, throttled),
    throttledTasks: [...throttled.values()].reduce((a, b) => a + b, 0),
  };
}

/** Every configured or stored queue: 1 `count` plus 1 `query` (average sample) per queue. */
export async function deriveQueueMetrics(
  reader: StatisticsReader,
  throttled: ReadonlyMap<string, number>,
  sampleSize: number,
): Promise<QueueMetrics[]> {
  const cells = await reader.countTasks({});
  const configured = new Map(reader.configuration().queues.map((queue) => [queue.name, queue]));
  const local = new Map(reader.localQueues().map((queue) => [queue.queue, queue]));
  const summaries = new Map(queueSummaries(cells, throttled).map((summary) => [summary.queueName, summary]));
  const names = [...new Set([...configured.keys(), ...summaries.keys()])].sort((a, b) => a.localeCompare(b));
  return mapLimited(names, PARALLEL_CALLS, async (queueName): Promise<QueueMetrics> => {
    const config = configured.get(queueName);
    const summary = summaries.get(queueName);
    const completed = summary?.completedCount ?? 0;
    const failed = summary?.failedCount ?? 0;
    const pending = summary?.pendingCount ?? 0;
    const inProgress = summary?.inProgressCount ?? 0;
    const cancelled = summary?.cancelledCount ?? 0;
    const average = completed === 0 ? { avg: null } : await sampledAverage(reader, { queue: queueName }, sampleSize);
    return {
      queueName,
      configured: config !== undefined,
      concurrency: config?.concurrency ?? null,
      capacity: config?.capacity ?? null,
      whenFull: config?.whenFull ?? null,
      timeoutMs: config?.timeoutMs ?? null,
      running: local.get(queueName)?.running ?? 0,
      buffered: local.get(queueName)?.buffered ?? 0,
      totalTasks: pending + inProgress + completed + failed + cancelled,
      pendingTasks: pending,
      inProgressTasks: inProgress,
      completedTasks: completed,
      failedTasks: failed,
      cancelledTasks: cancelled,
      throttledCount: summary?.throttledCount ?? throttled.get(queueName) ?? 0,
      successRate: successRate(completed, failed),
      avgExecutionTimeMs: average.avg,
    };
  });
}

/** Success rate per UTC day of creation: one `count` per day (7, 30 or 90). */
export async function deriveSuccessRateTrend(reader: StatisticsReader, days: number): Promise<{ timestamps: string[]; successRates: (number | null)[] }> {
  const dayWindows = buckets(startOfUtcDay(reader.now()), DAY_MS, days);
  const rates = await mapLimited(dayWindows, PARALLEL_CALLS, async (day) => {
    const counts = byStatus(await reader.countTasks({ ...windowFilter(day), statuses: ['completed', 'failed'] }));
    return successRate(counts.completed, counts.failed);
  });
  return { timestamps: dayWindows.map((day) => iso(day.from as number)), successRates: rates };
}

/**
 * Tasks created in the range per task name: one `count` per task definition of this engine (the
 * port cannot group by name yet, so names only other engines define are not listed).
 */
export async function deriveTaskTypes(reader: StatisticsReader, range: TimeRange): Promise<TaskTypeCount[]> {
  const window = windowFilter(windowOf(range, reader.now()));
  const names = [...new Set(reader.configuration().tasks.map((task) => task.name))];
  const counts = await mapLimited(names, PARALLEL_CALLS, async (name) => ({ name, count: total(await reader.countTasks({ ...window, name })) }));
  return counts.filter((entry) => entry.count > 0).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

/**
 * Mean execution time per bucket of creation time (hours for `today`, days otherwise; `all` is the
 * last 30 days): one `query` per bucket, averaging a sample of the latest completed tasks.
 */
export async function deriveExecutionTimes(reader: StatisticsReader, range: TimeRange, sampleSize: number): Promise<ExecutionTimeBucket[]> {
  const now = reader.now();
  const windows = range === 'today' ? buckets(now, HOUR_MS, 24) : buckets(now, DAY_MS, range === 'week' ? 7 : 30);
  return mapLimited(windows, PARALLEL_CALLS, async (window) => {
    const average = await sampledAverage(reader, windowFilter(window), sampleSize);
    return { timestamp: iso(window.from as number), avgExecutionTimeMs: average.avg, sampleSize: average.size };
  });
}
