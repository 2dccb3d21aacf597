/**
 * Turns what a `ScheduleBuilder` recorded into a validated, JSON-serialisable `RecurringSchedule`.
 */
import { InvalidScheduleError } from '../errors.js';
import { cronCanMatch } from './cron-schedule.js';
import type { CalendarRule, IntervalRule, RecurringSchedule, ScheduleRule } from './schedule-spec.js';
import { firstOccurrence } from './next-occurrence.js';
import { SCHEDULE_VERSION } from './schedule-spec.js';
import { parseInteger, parseWeekday, sortedUnique } from './schedule-values.js';
import { describeValue } from '../describe-value.js';
import { civilDate, DAY_MS, resolveWallTime, toWallTime, wallDay, weekdayOf } from './zoned-time.js';
import { stateOf, type BuilderState } from './builder-state.js';
import { ScheduleBuilder, type RecurringBuilder } from './schedule-builder.js';

/**
 * Runs the user's builder callback and validates the result into a plain, JSON-serialisable
 * schedule. `now` (epoch ms) is the build time: it resolves `runNow`/`runDelayed`, anchors
 * interval grids and step counts, and `runUntil` must be after it.
 * @throws InvalidScheduleError for any invalid or conflicting call, naming the call and the fix.
 */
export function buildSchedule(recurring: RecurringBuilder, now: number): RecurringSchedule {
  if (typeof recurring !== 'function') {
    throw new InvalidScheduleError(
      `recurring must be a function such as (s) => s.everyDay().atTime('03:00'); received ${describeValue(recurring)}.`,
    );
  }
  if (!Number.isFinite(now)) throw new InvalidScheduleError(`buildSchedule: now must be epoch milliseconds; received ${describeValue(now)}.`);
  const builder = new ScheduleBuilder();
  try {
    recurring(builder);
  } catch (error) {
    if (error instanceof InvalidScheduleError) throw error;
    throw new InvalidScheduleError(`The recurring builder callback threw: ${(error as Error)?.message ?? String(error)}`, {
      cause: error,
    });
  }
  const s = stateOf(builder);
  const timeZone = s.timeZone ?? 'UTC';
  const rule = buildRule(s, timeZone, now);
  const schedule: { -readonly [K in keyof RecurringSchedule]: RecurringSchedule[K] } = { version: SCHEDULE_VERSION, rule, timeZone };
  if (s.initial !== undefined) {
    schedule.initialRun = s.initial.kind === 'now' ? now : s.initial.kind === 'at' ? s.initial.at : now + s.initial.ms;
  }
  if (s.maxRuns !== undefined) schedule.maxRuns = s.maxRuns;
  if (s.runUntil !== undefined) {
    if (s.runUntil <= now) {
      throw new InvalidScheduleError(
        `runUntil(${new Date(s.runUntil).toISOString()}) is not in the future (now is ${new Date(now).toISOString()}); pass a later end or drop runUntil().`,
      );
    }
    schedule.runUntil = s.runUntil;
  }
  if (s.catchUp !== undefined) schedule.catchUp = s.catchUp;
  if (firstOccurrence(schedule, now) === undefined) {
    throw new InvalidScheduleError(
      schedule.runUntil !== undefined
        ? `The schedule never fires before runUntil(${new Date(schedule.runUntil).toISOString()}); move runUntil later or change the recurrence.`
        : rule.kind === 'cron' && cronCanMatch(rule)
          ? `The schedule has no occurrence after ${new Date(now).toISOString()} within the range of dates JavaScript can hold (up to ${new Date(8.64e15).toISOString()}).`
          : 'The schedule never fires: its day, month and weekday selections exclude each other (for example cron "0 0 31 2 *" or every(12).months() with onMonths() outside the counted months).',
    );
  }
  return schedule;
}

function buildRule(s: BuilderState, zone: string, now: number): ScheduleRule {
  if (s.cron !== undefined) {
    const extra = [
      s.atSecond !== undefined && 'atSecond()',
      s.atMinute !== undefined && 'atMinute()',
      s.timesCall,
      s.days && `${s.days.call}()`,
      s.weekdayOfMonth?.call,
      s.months && 'onMonths()',
    ].find((x) => typeof x === 'string');
    if (extra) {
      throw new InvalidScheduleError(
        `cron() cannot be combined with ${extra}: the cron expression is the whole recurrence; put that part in the expression.`,
      );
    }
    return s.cron;
  }
  const unit = s.unit;
  const every = s.every ?? 1;
  const call = s.unitCall ?? '';
  if (unit === undefined) {
    throw new InvalidScheduleError(
      "The schedule has no recurrence: call every(n).minutes(), everyDay().atTime('03:00'), cron('0 3 * * *') or another every…() method" +
        (s.initial ? ' after .then().' : '.'),
    );
  }
  const reject = (present: unknown, part: string, hint: string): void => {
    if (present !== undefined && present !== false) {
      throw new InvalidScheduleError(`${part} does not apply to ${call}; ${hint}.`);
    }
  };
  const wall = toWallTime(zone, now);
  if (unit === 'second' || unit === 'minute' || unit === 'hour') {
    const calendarHint = 'it refines day, week and month schedules (everyDay(), everyWeek(), everyMonth()) or use cron()';
    reject(s.timesCall, s.timesCall ?? '', calendarHint);
    reject(s.days, `${s.days?.call}()`, calendarHint);
    reject(s.weekdayOfMonth, s.weekdayOfMonth?.call ?? '', 'it refines month schedules (everyMonth())');
    reject(s.months, 'onMonths()', calendarHint);
    reject(unit !== 'minute' && s.atSecond !== undefined, 'atSecond()', 'it refines minute schedules (everyMinute(), every(n).minutes())');
    reject(unit !== 'hour' && s.atMinute !== undefined, 'atMinute()', 'it refines hour schedules (everyHour(), every(n).hours())');
    const span = unit === 'second' ? 60_000 : unit === 'minute' ? 3_600_000 : DAY_MS;
    const shift = unit === 'minute' ? (s.atSecond ?? 0) * 1000 : unit === 'hour' ? (s.atMinute ?? 0) * 60_000 : 0;
    const anchor = resolveWallTime(zone, Math.floor(wall / span) * span + shift).instant;
    const rule: { -readonly [K in keyof IntervalRule]: IntervalRule[K] } = { kind: 'interval', unit, every, anchor };
    if (s.atSecond !== undefined) rule.atSecond = s.atSecond;
    if (s.atMinute !== undefined) rule.atMinute = s.atMinute;
    return rule;
  }
  reject(s.atSecond, 'atSecond()', 'use atTime(\'HH:mm:ss\') on day, week and month schedules');
  reject(s.atMinute, 'atMinute()', "use atTime('HH:mm') on day, week and month schedules");
  const today = wallDay(wall);
  const date = civilDate(today);
  const rule: { -readonly [K in keyof CalendarRule]: CalendarRule[K] } = {
    kind: 'calendar',
    unit,
    every,
    start: unit === 'day' ? today : unit === 'week' ? today - ((weekdayOf(today) + 6) % 7) : date.year * 12 + date.month - 1,
    times: s.times ?? [0],
  };
  if (unit === 'month') {
    if (s.days !== undefined && s.weekdayOfMonth !== undefined) {
      throw new InvalidScheduleError(
        `${s.days.call}() conflicts with ${s.weekdayOfMonth.call}: a month schedule runs on days of the month or on the first/last weekday, not both.`,
      );
    }
    if (s.weekdayOfMonth !== undefined) {
      rule.weekdayOfMonth = { nth: s.weekdayOfMonth.nth, weekday: s.weekdayOfMonth.weekday };
    } else {
      const days = s.days;
      rule.monthDays = days
        ? sortedUnique(
            days.values.map((d) =>
              parseInteger(d, `${days.call}(${describeValue(d)})`, 1, 31, 'for the day of the month (31 = the last day of any month)'),
            ),
          )
        : [1];
    }
  } else {
    reject(s.weekdayOfMonth, s.weekdayOfMonth?.call ?? '', 'it refines month schedules (everyMonth()); for weekdays use onDay()');
    const days = s.days;
    if (days !== undefined) rule.weekdays = sortedUnique(days.values.map((d) => parseWeekday(d, `${days.call}(${describeValue(d)})`)));
    else if (unit === 'week') rule.weekdays = [1];
  }
  if (s.months !== undefined) rule.months = s.months;
  return rule;
}
