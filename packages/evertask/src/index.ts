/**
 * The engine (`EverTask`, `defineTask`), retry policies, recurring schedules, `MemoryStorage`, the storage port and its types, and the errors.
 *
 * @packageDocumentation
 * @module evertask
 */
export { EverTask } from './ever-task.js';
export type { StopOptions } from './ever-task.js';
export type { RecurringSeries } from './recurring-series.js';
export type { ActionOptions } from './management/action-options.js';
export type { PausedQueueInfo } from './management/queue-pauses.js';
export type { InstanceInfo } from './scheduler/instance-registration.js';
export type { EngineConfiguration, QueueConfiguration, TaskDefinitionSummary } from './engine-configuration.js';
export { defineTask } from './define-task.js';
export type {
  TaskDefinition,
  TaskDefinitionOptions,
  TaskContext,
  TaskHookContext,
  TaskHandler,
  PayloadOf,
} from './define-task.js';
export type { DispatchOptions, DispatchManyOptions } from './dispatch/dispatch-options.js';
export type { EverTaskOptions, QueueOptions, EngineDefaults, WhenFull } from './options.js';
export type { EventFeedMode } from './event-feed/event-feed-mode.js';
export type { RetentionOptions } from './maintenance/retention-options.js';
export type { TaskInfo } from './task-info.js';
export type { TaskHistory, TaskStatusChange, TaskRun, TaskLogEntry, TaskLogPage, TaskLogQuery } from './task-history.js';
export type { EverTaskEvents, EverTaskEventName, EverTaskListener, TaskEventBase } from './events.js';
export { EVENT_NAMES } from './events.js';
export { linearRetry, exponentialRetry, noRetry, FilteredRetryPolicy } from './retry/retry-policy.js';
export type { RetryPolicy, ExponentialRetryOptions, ErrorClass, ErrorFilter } from './retry/retry-policy.js';
export type { TaskLogger, LogCaptureOptions } from './logs/task-logger.js';
export type { Logger, FieldsFirstLogger } from './logger.js';
export { consoleWarningsLogger, silentLogger, fieldsFirstLogger } from './logger.js';
export type { PayloadCodec } from './serialization/payload-codec.js';
export { jsonPayloadCodec, PayloadEncodingError } from './serialization/payload-codec.js';
export * from './errors.js';
export type { Clock, TimerHandle } from './clock.js';
export { systemClock } from './clock.js';
export type { Duration } from './duration.js';
export { MIN_INSTANT_MS, MAX_INSTANT_MS, MAX_DURATION_MS } from './duration.js';
export type { JsonPayload, JsonPayloadCheck, NotJson } from './json-payload.js';
export { toMilliseconds } from './duration.js';
export { uuidv7 } from './ids.js';
export * from './ports/task-record.js';
export type * from './ports/task-storage.js';
export type * from './ports/rate-limit-store.js';
export * from './ports/task-statistics.js';
export { canTransition, allowedSources, isTerminal, ACTIVE_STATUSES } from './state-machine.js';
export { shouldAuditStatus, shouldAuditRun } from './audit/audit-policy.js';
export { MemoryStorage } from './storage/memory/memory-storage.js';
export { scheduledTasks, countExecutionLogs } from './storage/derived-reads.js';
export type { RateLimitOptions, RateLimitOverflow, ResolvedRateLimit } from './rate-limit/rate-limit-options.js';
export { LocalRateLimits } from './rate-limit/local-rate-limits.js';
export type { RateLimitStatus } from './rate-limit/rate-limit-status.js';
export { nextOccurrences, describeSchedule } from './recurring/index.js';
export type {
  ScheduleBuilder,
  RecurringBuilder,
  IntervalUnits,
  InitialRunStep,
  Weekday,
  RecurringSchedule,
  ScheduleRule,
  IntervalRule,
  CalendarRule,
  CronRule,
  WeekdayOfMonth,
  NextOccurrencesOptions,
  CronOptions,
  CronDayMatch,
} from './recurring/index.js';
export { newStoredTask, STORED_TASK_COLUMNS, COLUMN_OF_FIELD, TASK_PATCH_FIELDS } from './storage/stored-task.js';
export type { NewStoredTaskInit } from './storage/stored-task.js';
export { checkInstanceRecord, checkInstanceId, compareInstances, INSTANCE_RECORD_RETENTION_MS } from './storage-kit/instance-checks.js';
export type {
  TaskInstrumentation,
  InstrumentedEngine,
  DispatchStart,
  DispatchScope,
  AttemptStart,
  AttemptScope,
  AttemptEnd,
  AttemptOutcome,
} from './instrumentation.js';
export { MAX_TRACE_CONTEXT_LENGTH } from './instrumentation.js';
