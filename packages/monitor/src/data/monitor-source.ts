import type {
  RateLimitStatus,
  EngineConfiguration,
  EverTaskEventName,
  ExecutionLogEntry,
  EverTaskEvents,
  InstanceInfo,
  PausedQueueInfo,
  LogLevel,
  RunAuditEntry,
  StatusAuditEntry,
  StatusCount,
  StorageCapabilities,
  StoredTask,
  TaskFilter,
  TaskPage,
  TaskQueryResult,
} from 'evertask';
import type { ExecutionTimeBucket, Overview, QueueMetrics, SuccessRateTrend, TaskTypeCount, TimeRange } from '../api-types.js';

/** One engine event as the monitor receives it. */
export type EngineEvent = { [E in EverTaskEventName]: { type: E; event: EverTaskEvents[E] } }[EverTaskEventName];

/** A page of a task's execution log. */
export interface ExecutionLogSlice {
  logs: ExecutionLogEntry[];
  /** Lines matching the level filter. */
  total: number;
}

/**
 * Everything the routes read and do, in one narrow interface. `createMonitor` builds the default
 * implementation over an `EverTask` and its storage (`EngineMonitorSource`); the aggregate methods
 * (overview, queue metrics, statistics) map the storage's `TaskStatistics`.
 */
export interface MonitorSource {
  readonly capabilities: MonitorCapabilities;
  /** Current time (epoch ms) of the monitor's clock. */
  now(): number;

  getTask(id: string): Promise<StoredTask | undefined>;
  queryTasks(filter: TaskFilter, page: TaskPage): Promise<TaskQueryResult>;
  countTasks(filter?: TaskFilter): Promise<StatusCount[]>;
  statusHistory(id: string): Promise<StatusAuditEntry[]>;
  runHistory(id: string): Promise<RunAuditEntry[]>;
  countExecutionLogs(id: string): Promise<number>;
  /** Lines at `minLevel` or above (all when omitted), oldest first. */
  executionLogs(id: string, skip: number, take: number, minLevel?: LogLevel): Promise<ExecutionLogSlice>;

  /**
   * The engine's management actions, `actor` recorded in the history and the log. Each is false
   * when the task is unknown or its status does not allow it (the queue ones: when the queue
   * already was in that state).
   */
  cancel(id: string, actor: string): Promise<boolean>;
  runNow(id: string, actor: string): Promise<boolean>;
  retry(id: string, actor: string): Promise<boolean>;
  deleteTask(id: string, actor: string): Promise<boolean>;
  pauseQueue(name: string, actor: string): Promise<boolean>;
  resumeQueue(name: string, actor: string): Promise<boolean>;
  pausedQueues(): Promise<PausedQueueInfo[]>;

  instances(): Promise<InstanceInfo[]>;
  /** The rate-limit budgets and parked tasks (cluster-wide on a storage with shared budgets). */
  rateLimitStatus(): Promise<RateLimitStatus>;
  configuration(): EngineConfiguration;
  /** Running and buffered tasks per queue in this process. */
  localQueues(): { queue: string; running: number; buffered: number }[];
  /**
   * Subscribes to every engine event; returns the unsubscribe function. Other processes' events
   * (`remote:task`) only with `remote: true`: subscribing to them asks every engine on the
   * storage to publish its events (see the engine's `eventFeed` option).
   */
  subscribe(listener: (event: EngineEvent) => void, options?: { remote?: boolean }): () => void;

  overview(range: TimeRange, throttledByQueue: ReadonlyMap<string, number>): Promise<Omit<Overview, 'recentActivity'>>;
  queueMetrics(throttledByQueue: ReadonlyMap<string, number>): Promise<QueueMetrics[]>;
  successRateTrend(days: 7 | 30 | 90): Promise<Omit<SuccessRateTrend, 'period'>>;
  taskTypes(range: TimeRange): Promise<TaskTypeCount[]>;
  executionTimes(range: TimeRange): Promise<ExecutionTimeBucket[]>;
}

/** What the storage can do, as the monitor reports it: its flags plus whether it has a wake-up channel. */
export interface MonitorCapabilities extends StorageCapabilities {
  /** The storage has a notification channel (other processes' events can reach this one). */
  readonly notifications: boolean;
}
