export * from './errors.js';
export type { Clock, TimerHandle } from './clock.js';
export { systemClock } from './clock.js';
export type { Duration } from './duration.js';
export { toMilliseconds } from './duration.js';
export { uuidv7 } from './ids.js';
export * from './ports/task-record.js';
export type * from './ports/task-storage.js';
export { canTransition, allowedSources, isTerminal, ACTIVE_STATUSES } from './state-machine.js';
export { shouldAuditStatus, shouldAuditRun } from './audit/audit-policy.js';
export { nextOccurrences, describeSchedule } from './recurring/index.js';
export type {
  ScheduleBuilder,
  RecurringBuilder,
  IntervalUnits,
  InitialRunStep,
  Weekday,
  RecurringSchedule,
  NextOccurrencesOptions,
} from './recurring/index.js';
