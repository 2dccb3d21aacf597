import type { LogLevel, TaskStatus } from './task-record.js';

/**
 * The statistics role of the storage port: counts and execution-time aggregates computed by the
 * storage in one grouped query each, over its indexes, never by reading the tasks out.
 *
 * Every statistic places a task by its **creation time** (`createdAt`, like the `createdAfter` /
 * `createdBefore` filters of `query`: `from` inclusive, `to` exclusive) and counts it under its
 * **current status**. So a bucket answers "of the tasks created in this hour, how many are now
 * completed, failed, …" — the success rate of a day is that of the tasks created that day, and the
 * figures of a closed bucket change only as its tasks finish.
 *
 * Execution times are true aggregates over every `completed` task of the group that has an
 * `executionTimeMs` (never a sample); tasks in other statuses do not contribute to them.
 */
export interface TaskStatistics {
  /** How many execution logs the task has (of `minLevel` and above in `LOG_LEVELS` order, when given); 0 for an unknown task. */
  countExecutionLogs(taskId: string, minLevel?: LogLevel): Promise<number>;
  /**
   * The tasks created in `[from, to)` in consecutive buckets of `bucketMs`, oldest first: one
   * bucket per step from `from`, every bucket present (empty ones with zero counts), the last one
   * cut at `to`. `to === from` answers no bucket. At most {@link MAX_TIMELINE_BUCKETS} buckets.
   */
  taskTimeline(request: TimelineRequest): Promise<TimelineBucket[]>;
  /**
   * The tasks created in `[from, to)` (either bound optional) grouped by task name or by queue:
   * one group per stored name/queue that has such tasks, ordered by key (code-unit order).
   */
  taskGroups(request: TaskGroupRequest): Promise<TaskGroup[]>;
}

/** Most buckets one `taskTimeline` call answers (a year of hours fits with room). */
export const MAX_TIMELINE_BUCKETS = 10_000;

/** Tasks per status: every status is a key, zero when none. */
export type StatusTotals = Record<TaskStatus, number>;

/** Execution times (ms) of the completed tasks of a group that have one: aggregates over all of them. */
export interface ExecutionTimeStats {
  /** Completed tasks with an execution time. */
  count: number;
  /** Sum of their execution times (exact: the mean of several groups is `Σ totalMs / Σ count`). */
  totalMs: number;
  /** `totalMs / count`, unrounded. */
  meanMs: number;
  minMs: number;
  maxMs: number;
}

/** What a bucket or a group holds. */
export interface TaskTally {
  /** Tasks per current status. */
  counts: StatusTotals;
  /** Sum of `counts`. */
  total: number;
  /** Null when no completed task of the group has an execution time. */
  executionTime: ExecutionTimeStats | null;
}

export interface TimelineRequest {
  /** Start of the first bucket (epoch ms, inclusive). */
  from: number;
  /** End of the last bucket (epoch ms, exclusive); at least `from`. */
  to: number;
  /** Length of a bucket in ms (a positive integer). */
  bucketMs: number;
  /** Only tasks of this queue (all queues when omitted). */
  queue?: string;
}

export interface TimelineBucket extends TaskTally {
  /** Start of the bucket (epoch ms): `from + i × bucketMs`. */
  start: number;
}

export interface TaskGroupRequest {
  /** Group by task name or by queue. */
  groupBy: 'name' | 'queue';
  /** Created at or after this time (no lower bound when omitted). */
  from?: number;
  /** Created before this time (no upper bound when omitted). */
  to?: number;
  /** Only tasks of this queue (all queues when omitted). */
  queue?: string;
}

export interface TaskGroup extends TaskTally {
  /** The task name or the queue name. */
  key: string;
}
