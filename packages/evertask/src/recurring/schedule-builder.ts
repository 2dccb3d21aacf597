/**
 * The fluent schedule builder (`(s) => s.everyDay().atTime('03:00')`): each call validates its
 * argument and records it; `build-schedule.ts` turns the record into a `RecurringSchedule`.
 */
import type { Duration } from '../duration.js';
import { toMilliseconds } from '../duration.js';
import { InvalidScheduleError } from '../errors.js';
import type { CronOptions } from './cron-schedule.js';
import { cronRule } from './cron-schedule.js';
import { MAX_STEP } from './schedule-spec.js';
import type { Weekday } from './schedule-values.js';
import { parseInstant, parseInteger, parseTimeOfDay, parseWeekday, sortedUnique } from './schedule-values.js';
import { describeValue } from '../describe-value.js';
import { canonicalTimeZone } from './zoned-time.js';
import { initState, stateOf, type BuilderState, type Initial, type Unit } from './builder-state.js';

/** The callback users pass as `recurring`: it receives a fresh builder and configures it. */
export type RecurringBuilder = (schedule: ScheduleBuilder) => ScheduleBuilder | void;

/** Picks the unit after `every(n)`. */
export interface IntervalUnits {
  /** Every n seconds (elapsed time). */
  seconds(): ScheduleBuilder;
  /** Every n minutes (elapsed time); refine with `atSecond`. */
  minutes(): ScheduleBuilder;
  /** Every n hours (elapsed time); refine with `atMinute`. */
  hours(): ScheduleBuilder;
  /** Every n days (wall clock); refine with `atTime(s)`, `onDays` (weekday filter), `onMonths`. */
  days(): ScheduleBuilder;
  /** Every n weeks (wall clock, weeks start on Monday); refine with `onDay(s)` (weekdays) and `atTime(s)`. */
  weeks(): ScheduleBuilder;
  /** Every n months (wall clock); refine with `onDay(s)` (1-31), `onFirst`/`onLast`, `atTime(s)`, `onMonths`. */
  months(): ScheduleBuilder;
}

/** Returned by `runNow`, `runAt` and `runDelayed`: continue with `.then()` to define the recurrence. */
export interface InitialRunStep {
  /** Continues with the recurrence that follows the initial run. */
  then(): ScheduleBuilder;
}

/**
 * Fluent description of a recurring schedule. Each method validates its argument and throws
 * `InvalidScheduleError` naming the call; combinations are checked when the schedule is built.
 *
 * Kinds of schedule:
 * - elapsed-time intervals: `every(n).seconds() | minutes() | hours()`, `everySecond()`,
 *   `everyMinute()`, `everyHour()` — a fixed period, unaffected by DST;
 * - wall-clock calendars: `every(n).days() | weeks() | months()`, `everyDay()`, `everyWeek()`,
 *   `everyMonth()` with `atTime`, `onDay`, `onFirst`, `onLast`, `onMonths` — local times in
 *   `timeZone` (default UTC);
 * - `cron(expression)` — wall clock in `timeZone`.
 *
 * Weekdays are numbers 0-6 (0 = Sunday, 6 = Saturday, as `Date.getDay()`) or names, full or three
 * letters, in any case (`'monday'`, `'Mon'`).
 */
export class ScheduleBuilder {
  constructor() {
    initState(this);
  }

  /** Starts an interval of `n` units: `every(5).minutes()`. `n` is an integer ≥ 1. */
  every(n: number): IntervalUnits {
    const count = parseInteger(n, `every(${describeValue(n)})`, 1, MAX_STEP);
    const pick = (unit: Unit, name: string) => (): ScheduleBuilder => this.setUnit(unit, count, `every(${count}).${name}()`);
    return {
      seconds: pick('second', 'seconds'),
      minutes: pick('minute', 'minutes'),
      hours: pick('hour', 'hours'),
      days: pick('day', 'days'),
      weeks: pick('week', 'weeks'),
      months: pick('month', 'months'),
    };
  }

  /** Every second. */
  everySecond(): this {
    return this.setUnit('second', 1, 'everySecond()');
  }
  /** Every minute (at second 0 unless `atSecond`). */
  everyMinute(): this {
    return this.setUnit('minute', 1, 'everyMinute()');
  }
  /** Every hour (at minute 0 unless `atMinute`). */
  everyHour(): this {
    return this.setUnit('hour', 1, 'everyHour()');
  }
  /** Every day (at 00:00 unless `atTime`). */
  everyDay(): this {
    return this.setUnit('day', 1, 'everyDay()');
  }
  /** Every week (on Monday unless `onDay`, at 00:00 unless `atTime`). */
  everyWeek(): this {
    return this.setUnit('week', 1, 'everyWeek()');
  }
  /** Every month (on day 1 unless `onDay`/`onFirst`/`onLast`, at 00:00 unless `atTime`). */
  everyMonth(): this {
    return this.setUnit('month', 1, 'everyMonth()');
  }

  /** Minute schedules: the second of the minute (0-59) the runs fall on. */
  atSecond(second: number): this {
    const s = this.fresh('atSecond', 'atSecond()');
    s.atSecond = parseInteger(second, `atSecond(${describeValue(second)})`, 0, 59);
    return this;
  }

  /** Hour schedules: the minute of the hour (0-59) the runs fall on. */
  atMinute(minute: number): this {
    const s = this.fresh('atMinute', 'atMinute()');
    s.atMinute = parseInteger(minute, `atMinute(${describeValue(minute)})`, 0, 59);
    return this;
  }

  /** Day, week and month schedules: the local time of day, `'HH:mm'` or `'HH:mm:ss'` (24-hour). */
  atTime(time: string): this {
    const s = this.fresh('times', 'atTime()', "use atTimes('09:00', '17:00') for several times");
    s.times = [parseTimeOfDay(time, `atTime(${describeValue(time)})`)];
    s.timesCall = 'atTime()';
    return this;
  }

  /** Day, week and month schedules: several local times of day. */
  atTimes(...times: string[]): this {
    const s = this.fresh('times', 'atTimes()');
    if (times.length === 0) throw new InvalidScheduleError("atTimes() needs at least one time such as '09:00'.");
    s.times = sortedUnique(times.map((t) => parseTimeOfDay(t, `atTimes(${describeValue(t)})`)));
    s.timesCall = 'atTimes()';
    return this;
  }

  /**
   * Week schedules: the weekday (0-6, 0 = Sunday, or a name). Day schedules: run only on that
   * weekday. Month schedules: the day of the month, 1-31 (a day past the month's end runs on its
   * last day: 31 runs on 30 April and on 28/29 February).
   */
  onDay(day: Weekday | number): this {
    const s = this.fresh('days', 'onDay()', 'use onDays(...) for several days');
    s.days = { values: [day], call: 'onDay' };
    return this;
  }

  /** Several days: weekdays for week and day schedules, days of the month (1-31) for month schedules. */
  onDays(...days: Array<Weekday | number>): this {
    const s = this.fresh('days', 'onDays()');
    if (days.length === 0) throw new InvalidScheduleError('onDays() needs at least one day.');
    s.days = { values: days, call: 'onDays' };
    return this;
  }

  /** Day, week and month schedules: run only in these months (1-12). */
  onMonths(...months: number[]): this {
    const s = this.fresh('months', 'onMonths()');
    if (months.length === 0) throw new InvalidScheduleError('onMonths() needs at least one month (1-12).');
    s.months = sortedUnique(months.map((m) => parseInteger(m, `onMonths(${describeValue(m)})`, 1, 12, '(1 = January)')));
    return this;
  }

  /** Month schedules: the first given weekday of the month. */
  onFirst(weekday: Weekday): this {
    const s = this.fresh('weekdayOfMonth', 'onFirst()');
    s.weekdayOfMonth = { nth: 'first', weekday: parseWeekday(weekday, `onFirst(${describeValue(weekday)})`), call: 'onFirst()' };
    return this;
  }

  /** Month schedules: the last given weekday of the month. */
  onLast(weekday: Weekday): this {
    const s = this.fresh('weekdayOfMonth', 'onLast()');
    s.weekdayOfMonth = { nth: 'last', weekday: parseWeekday(weekday, `onLast(${describeValue(weekday)})`), call: 'onLast()' };
    return this;
  }

  /**
   * A cron expression: 5 fields (minute hour day-of-month month day-of-week) or 6 with leading
   * seconds, in the syntax of the .NET EverTask (Cronos): lists, ranges (wrapping: `22-2`), steps
   * (`*\/5`, `10/5`), names, `L`, `L-n`, `W`, `LW`, `L-nW`, `nL`, `#`, `?`. Evaluated on the wall
   * clock of `timeZone`. `options.dayMatch` (default `'or'`) says how a restricted day-of-month
   * and day-of-week combine. Cannot be combined with the interval calls (`every…`, `at…`, `on…`).
   */
  cron(expression: string, options?: CronOptions): this {
    const s = this.fresh('cron', 'cron()');
    s.cron = cronRule(expression, options);
    return this;
  }

  /** IANA time zone for wall-clock schedules and cron, e.g. `'Europe/Rome'`. Default `'UTC'`. */
  timeZone(zone: string): this {
    const s = this.fresh('timeZone', 'timeZone()');
    s.timeZone = canonicalTimeZone(zone);
    return this;
  }

  /** One run right away (at build time), then the recurrence defined after `.then()`. */
  runNow(): InitialRunStep {
    return this.initial({ kind: 'now' }, 'runNow()');
  }

  /** One run at `at` (a Date, epoch ms or ISO-8601 string with offset), then the recurrence after `.then()`. */
  runAt(at: Date | number | string): InitialRunStep {
    return this.initial({ kind: 'at', at: parseInstant(at, `runAt(${describeValue(at)})`) }, 'runAt()');
  }

  /** One run after `delay` (ms or `'10m'`), then the recurrence after `.then()`. */
  runDelayed(delay: Duration): InitialRunStep {
    let ms: number;
    try {
      ms = toMilliseconds(delay, `runDelayed(${describeValue(delay)})`);
    } catch (error) {
      throw new InvalidScheduleError((error as Error).message, { cause: error });
    }
    return this.initial({ kind: 'delay', ms }, 'runDelayed()');
  }

  /** Stops the series after `n` runs in total (initial run included); `n` is an integer ≥ 1. */
  maxRuns(n: number): this {
    const s = this.fresh('maxRuns', 'maxRuns()');
    s.maxRuns = parseInteger(n, `maxRuns(${describeValue(n)})`, 1, Number.MAX_SAFE_INTEGER, '(the total number of runs)');
    return this;
  }

  /** Exclusive end: no run at or after `until` (Date, epoch ms or ISO-8601 with offset); must be in the future. */
  runUntil(until: Date | number | string): this {
    const s = this.fresh('runUntil', 'runUntil()');
    s.runUntil = parseInstant(until, `runUntil(${describeValue(until)})`);
    return this;
  }

  /**
   * After downtime, run the last missed occurrence once (then continue with the schedule) instead
   * of skipping every missed occurrence. `'last'` is the only mode.
   */
  catchUp(mode: 'last' = 'last'): this {
    const s = this.fresh('catchUp', 'catchUp()');
    if (mode !== 'last') throw new InvalidScheduleError(`catchUp(${describeValue(mode)}): the only mode is 'last'.`);
    s.catchUp = 'last';
    return this;
  }

  private setUnit(unit: Unit, every: number, call: string): this {
    const s = stateOf(this);
    if (s.unitCall !== undefined || s.cron !== undefined) {
      throw new InvalidScheduleError(
        `${call} conflicts with ${s.unitCall ?? 'cron()'}: a schedule has one recurrence; use one every…() call or cron().`,
      );
    }
    s.unit = unit;
    s.every = every;
    s.unitCall = call;
    return this;
  }

  private fresh(key: keyof BuilderState, call: string, hint?: string): BuilderState {
    const s = stateOf(this);
    if (key === 'cron' && s.unitCall !== undefined) {
      throw new InvalidScheduleError(
        `cron() conflicts with ${s.unitCall}: a cron expression is the whole recurrence; use either cron() or the every…() calls.`,
      );
    }
    if (s[key] !== undefined) {
      const prior =
        key === 'times' ? s.timesCall : key === 'days' ? `${s.days?.call}()` : key === 'weekdayOfMonth' ? s.weekdayOfMonth?.call : call;
      throw new InvalidScheduleError(`${call} conflicts with an earlier ${prior}; set this part once${hint ? ` (${hint})` : ''}.`);
    }
    return s;
  }

  private initial(initial: Initial, call: string): InitialRunStep {
    const s = stateOf(this);
    if (s.initial !== undefined) {
      throw new InvalidScheduleError(`${call} conflicts with an earlier initial run; use one of runNow(), runAt() or runDelayed().`);
    }
    s.initial = initial;
    const then = (onFulfilled?: unknown): ScheduleBuilder => {
      // Guard for `await s.runNow()`: behave as an already-resolved value instead of hanging.
      if (typeof onFulfilled === 'function') (onFulfilled as (v: unknown) => void)(undefined);
      return this;
    };
    return { then } as InitialRunStep;
  }
}

