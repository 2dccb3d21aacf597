/**
 * Recurring schedules: the fluent builder, cron, time zones with DST rules, descriptions and the
 * occurrence arithmetic the engine uses. Pure: no clock, no timers, no I/O — every function takes
 * `now` explicitly (epoch milliseconds).
 *
 * Engine usage:
 * ```ts
 * const schedule = buildSchedule(options.recurring, now);      // throws InvalidScheduleError
 * const stored = serializeSchedule(schedule);                  // persist with the task
 * const info = describe(schedule);                             // persisted description
 * let at = firstOccurrence(schedule, now);                     // undefined: nothing to run
 * // … after the run scheduled at `at` finished (runCount includes it):
 * const next = nextOccurrence(schedule, { scheduledAt: at, now, runCount });
 * // next?.at: when to run (past = now); next?.missed: skipped occurrences; undefined: series over
 * // on recovery with a stored next run: resumeOccurrence(parseSchedule(stored), { plannedAt, now, runCount })
 * ```
 */
import { InvalidScheduleError } from '../errors.js';
import type { RecurringBuilder } from './schedule-builder.js';
import { buildSchedule } from './build-schedule.js';
import { describe } from './schedule-description.js';
import { listOccurrences } from './next-occurrence.js';
import { parseInstant } from './schedule-values.js';
import { describeValue } from '../describe-value.js';

export type { RecurringBuilder, IntervalUnits, InitialRunStep } from './schedule-builder.js';
export { ScheduleBuilder } from './schedule-builder.js';
export { buildSchedule } from './build-schedule.js';
export type {
  RecurringSchedule,
  ScheduleRule,
  IntervalRule,
  CalendarRule,
  CronRule,
  WeekdayOfMonth,
} from './schedule-spec.js';
export { serializeSchedule, parseSchedule, checkSchedule, SCHEDULE_VERSION } from './schedule-spec.js';
export type { NextRun } from './next-occurrence.js';
export {
  firstOccurrence,
  nextOccurrence,
  resumeOccurrence,
  occurrenceAfter,
  listOccurrences,
  LATE_GRACE_MS,
  MISSED_COUNT_LIMIT,
} from './next-occurrence.js';
export { describe } from './schedule-description.js';
export type { Weekday } from './schedule-values.js';
export type { CronOptions, CronDayMatch } from './cron-schedule.js';

/** Options of `nextOccurrences`. */
export interface NextOccurrencesOptions {
  /** Start instant (exclusive for recurrences); also the build time of the schedule. Default: now. */
  from?: Date | number;
  /** How many instants to return (0-10000). Default 10. */
  count?: number;
}

/**
 * The next `count` run instants of a schedule strictly after `from`, honouring `runUntil` and
 * `maxRuns` (the initial run counts toward maxRuns and is listed when it is at or after `from`).
 * `from` is also the build time (`runNow()` means `from`, `runUntil` must be after it).
 *
 * ```ts
 * nextOccurrences((s) => s.everyDay().atTime('03:00').timeZone('Europe/Rome'), { from: new Date(), count: 5 });
 * ```
 * @throws InvalidScheduleError for an invalid schedule or options.
 */
export function nextOccurrences(recurring: RecurringBuilder, options: NextOccurrencesOptions = {}): Date[] {
  const from = options.from === undefined ? Date.now() : parseInstant(options.from, `nextOccurrences({ from: ${describeValue(options.from)} })`, 'any');
  const count = options.count ?? 10;
  if (!Number.isInteger(count) || count < 0 || count > 10_000) {
    throw new InvalidScheduleError(`nextOccurrences: count must be an integer from 0 to 10000; received ${describeValue(count)}.`);
  }
  return listOccurrences(buildSchedule(recurring, from), from, count).map((ms) => new Date(ms));
}

/**
 * Human-readable description of a schedule: `describeSchedule((s) => s.cron('0 *\/5 * * * *'))`
 * returns `"every 5 minutes"`.
 * @throws InvalidScheduleError for an invalid schedule.
 */
export function describeSchedule(recurring: RecurringBuilder, now: number | Date = Date.now()): string {
  return describe(buildSchedule(recurring, parseInstant(now, `describeSchedule(…, ${describeValue(now)})`, 'any')));
}
