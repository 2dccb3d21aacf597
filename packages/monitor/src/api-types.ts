/**
 * The JSON shapes the monitor's REST API answers with. Every time is an ISO 8601 string in UTC
 * (`ApiDate`); every list is ordered as documented in docs/monitor.md. These types are the
 * contract the dashboard builds on: change them only additively.
 */
import type { EngineConfiguration, LogLevel, TaskStatus } from 'evertask';

/** An ISO 8601 time in UTC, e.g. `2026-12-03T18:00:00.000Z`. */
export type ApiDate = string;

/** A role: `admin` may act (cancel…), `read-only` may only look. */
export type MonitorRole = 'admin' | 'read-only';

/** `{ error }` body of every 4xx/5xx answer. */
export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    /** The request field at fault, when one is. */
    field?: string;
  };
}

/** `POST /auth/login`. */
export interface LoginResponse {
  token: string;
  expiresAt: ApiDate;
  username: string;
  role: MonitorRole;
  /** Send it back as the `X-EverTask-CSRF` header with every action made with the cookie. */
  csrfToken: string;
}

/** `POST /auth/validate`. */
export interface ValidateResponse {
  isValid: boolean;
  username?: string;
  role?: MonitorRole;
  expiresAt?: ApiDate;
}

/** `GET /config` (public). */
export interface MonitorConfigResponse {
  apiBasePath: string;
  eventsPath: string;
  metricsPath: string;
  requireAuthentication: boolean;
  /** The name of the header carrying the CSRF token on actions. */
  csrfHeader: string;
  /** Actions this monitor serves (`cancel`). */
  actions: string[];
  sseHeartbeatMs: number;
}

/** A task as the list shows it. */
export interface TaskListItem {
  id: string;
  name: string;
  status: TaskStatus;
  queue: string;
  taskKey: string | null;
  isRecurring: boolean;
  /** The schedule in words, for a recurring series. */
  recurringInfo: string | null;
  attempts: number;
  createdAt: ApiDate;
  updatedAt: ApiDate;
  scheduledAt: ApiDate | null;
  dueAt: ApiDate | null;
  lastExecutionAt: ApiDate | null;
  executionTimeMs: number | null;
  /** First line of the last failure. */
  errorSummary: string | null;
}

/** A paged list of tasks. */
export interface TasksPage {
  items: TaskListItem[];
  totalCount: number;
  page: number;
  pageSize: number;
  totalPages: number;
}

/** One status change. */
export interface StatusAuditItem {
  taskId: string;
  status: TaskStatus;
  at: ApiDate;
  error: string | null;
  /** Who made the change (the monitor user of an action), or null for the engine itself. */
  actor: string | null;
}

/** One finished run of a recurring series. */
export interface RunAuditItem {
  taskId: string;
  at: ApiDate;
  status: TaskStatus;
  executionTimeMs: number;
  error: string | null;
}

/** `GET /tasks/:id`. */
export interface TaskDetail extends TaskListItem {
  /** The payload parsed from its stored JSON (the stored text when it is not JSON). */
  payload: unknown;
  auditLevel: string;
  /** Full text of the last failure (message and stack). */
  error: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: ApiDate | null;
  recurring: {
    schedule: string | null;
    runCount: number;
    maxRuns: number | null;
    runUntil: ApiDate | null;
    lastOutcome: 'completed' | 'failed' | null;
  } | null;
  statusAudits: StatusAuditItem[];
  runsAudits: RunAuditItem[];
  executionLogCount: number;
}

/** One captured log line. */
export interface ExecutionLogItem {
  id: string;
  at: ApiDate;
  level: LogLevel;
  message: string;
  exception: string | null;
  sequence: number;
}

/** `GET /tasks/:id/execution-logs`. */
export interface ExecutionLogsPage {
  logs: ExecutionLogItem[];
  /** Lines matching the level filter. */
  totalCount: number;
  skip: number;
  take: number;
}

/** `GET /tasks/counts`: the list's tab badges. */
export interface TaskCounts {
  all: number;
  standard: number;
  recurring: number;
  failed: number;
}

/** `POST /tasks/:id/cancel`. */
export interface CancelResponse {
  id: string;
  cancelled: boolean;
  status: TaskStatus;
}

/** `POST /tasks/:id/run-now` and `POST /tasks/:id/retry`: the task's status after the action. */
export interface TaskActionResponse {
  id: string;
  action: 'run-now' | 'retry';
  status: TaskStatus;
}

/** `DELETE /tasks/:id`. */
export interface DeleteResponse {
  id: string;
  deleted: true;
}

/** The actions `POST /tasks/bulk` applies. */
export type BulkAction = 'retry' | 'cancel';

/** The filter of `POST /tasks/bulk`: the fields of the task-list query (times as ISO text or epoch ms). */
export interface BulkFilter {
  statuses?: TaskStatus[];
  name?: string;
  queue?: string;
  recurring?: boolean;
  createdAfter?: string | number;
  createdBefore?: string | number;
  search?: string;
}

/** Body of `POST /tasks/bulk`. */
export interface BulkActionRequest {
  action: BulkAction;
  filter: BulkFilter;
}

/** Answer of `POST /tasks/bulk`. */
export interface BulkActionResponse {
  action: BulkAction;
  /** Tasks matching the filter. */
  matched: number;
  /** Tasks the action applied to. */
  applied: number;
  /** matched − applied: in a status the action does not apply to, changed meanwhile, or beyond `limit`. */
  skipped: number;
  /** Most tasks one request acts on. */
  limit: number;
  /** True when more tasks matched than `limit`: send the request again for the rest. */
  truncated: boolean;
}

/** `POST /queues/:name/pause` and `/resume`. */
export interface QueueStateResponse {
  queueName: string;
  paused: boolean;
  pausedAt: ApiDate | null;
  pausedBy: string | null;
  /** False when the queue already was in that state. */
  changed: boolean;
}

/** A time range of the overview and the statistics. */
export type TimeRange = 'today' | 'week' | 'month' | 'all';

/** Counts of one queue. */
export interface QueueSummary {
  queueName: string;
  /** waiting + queued + service-stopped. */
  pendingCount: number;
  inProgressCount: number;
  completedCount: number;
  failedCount: number;
  cancelledCount: number;
  /** Tasks of this queue waiting for a rate-limit slot in this process. */
  throttledCount: number;
}

/** One hour of `tasksOverTime`. */
export interface TimeBucket {
  timestamp: ApiDate;
  completed: number;
  failed: number;
  total: number;
}

/** One row of the recent-activity feed. */
export interface ActivityItem {
  taskId: string;
  name: string;
  queue: string;
  status: TaskStatus;
  /** `lastExecutionAt`, else `updatedAt`. */
  timestamp: ApiDate;
  message: string;
}

/** `GET /dashboard/overview`. */
export interface Overview {
  range: TimeRange;
  totalTasksToday: number;
  totalTasksWeek: number;
  /** Tasks created in the range. */
  totalTasksInRange: number;
  /** completed / (completed + failed) of the tasks created in the range, in percent; null when none finished. */
  successRate: number | null;
  failedCount: number;
  /** Mean execution time of every completed task created in the range (computed by the storage). */
  avgExecutionTimeMs: number | null;
  /** How many completed tasks (with an execution time) that mean is over: all of them. */
  avgSampleSize: number;
  statusDistribution: Record<TaskStatus, number>;
  /** The last 24 hours by hour of creation, oldest first. */
  tasksOverTime: TimeBucket[];
  queueSummaries: QueueSummary[];
  throttledTasks: number;
  recentActivity: ActivityItem[];
}

/** `GET /queues`: one queue's configuration (when this engine runs it) and counts. */
export interface QueueMetrics {
  queueName: string;
  /** False for a queue that has stored tasks but is not configured on this engine. */
  configured: boolean;
  concurrency: number | null;
  capacity: number | null;
  whenFull: string | null;
  timeoutMs: number | null;
  /** Running in this process now. */
  running: number;
  /** Buffered locally in this process now. */
  buffered: number;
  totalTasks: number;
  pendingTasks: number;
  inProgressTasks: number;
  completedTasks: number;
  failedTasks: number;
  cancelledTasks: number;
  throttledCount: number;
  /** completed / (completed + failed) in percent, or null. */
  successRate: number | null;
  avgExecutionTimeMs: number | null;
}

/** `GET /queues`: a queue's metrics and whether it is paused (in the storage, for every engine). */
export interface QueueView extends QueueMetrics {
  paused: boolean;
  pausedAt: ApiDate | null;
  pausedBy: string | null;
}

/** `GET /statistics/success-rate-trend`. */
export interface SuccessRateTrend {
  period: 'last7days' | 'last30days' | 'last90days';
  /** Start of each day (UTC), oldest first. */
  timestamps: ApiDate[];
  /** Success rate of the tasks created that day, in percent; null for a day with none finished. */
  successRates: (number | null)[];
}

/** `GET /statistics/task-types`: tasks created in the range by task name. */
export interface TaskTypeCount {
  name: string;
  count: number;
}

/** `GET /statistics/execution-times`: one time bucket. */
export interface ExecutionTimeBucket {
  timestamp: ApiDate;
  avgExecutionTimeMs: number | null;
  /** Completed tasks averaged in the bucket: every one of them. */
  sampleSize: number;
}

/** `GET /rate-limits`: what this process is holding back, from the engine's `task:rate-limited` events. */
export interface RateLimitsResponse {
  /** True when any task definition has a rate limit. */
  enabled: boolean;
  throttledTasks: number;
  trackedKeys: number;
  definitions: { name: string; queue: string; permitsPerSecond: number }[];
  keys: { taskName: string; queue: string; key: string; parkedCount: number; nextSlotAt: ApiDate }[];
  /** True when the budgets are the storage's, shared by every process on it (PostgreSQL, MySQL). */
  shared: boolean;
  /** Tasks parked for a slot according to the budgets' reservations: every process's when `shared`. */
  parkedTasks: number;
  /** Tasks this engine ran unthrottled (limiter failed, key selector threw, too many keys). */
  failOpenCount: number;
  /** The tracked budgets, earliest next slot first (at most 100): when an unreserved start next conforms. */
  budgets: { taskName: string; key: string; nextSlotAt: ApiDate; reserved: number }[];
}

/** `GET /instances`: the engines sharing the storage. */
export interface InstanceItem {
  id: string;
  hostname: string;
  pid: number;
  startedAt: ApiDate;
  lastHeartbeatAt: ApiDate;
  expiresAt: ApiDate;
  alive: boolean;
  self: boolean;
  queues: string[];
}

/** `GET /engine`: the engine's resolved configuration (`EverTask.configuration()`) and the storage's abilities. */
export interface EngineConfigResponse extends EngineConfiguration {
  storage: { persistent: boolean; multiProcess: boolean; notifications: boolean };
}

/** One Server-Sent Event's `data` (the event name is the SSE `event:` field). */
export interface LiveEvent {
  type: string;
  at: ApiDate;
  taskId?: string;
  taskName?: string;
  queue?: string;
  severity: 'information' | 'warning' | 'error';
  /** The engine that sent it, for another engine's event (from the storage's event feed). */
  instanceId?: string;
  /** True for another engine's event (absent for this engine's own). */
  remote?: true;
  /** The engine event's other fields (errors as their message). */
  details: Record<string, unknown>;
}
