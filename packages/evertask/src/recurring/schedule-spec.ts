/**
 * The stored form of a recurring schedule: a plain, JSON-serialisable object produced by
 * `buildSchedule` and read back by `parseSchedule`. Every instant is epoch milliseconds (UTC).
 */
import { InvalidScheduleError } from '../errors.js';
import { compileCron } from './cron-schedule.js';
import type { CronRule } from './cron-rule.js';
import { describeValue } from '../describe-value.js';
import { canonicalTimeZone } from './zoned-time.js';

/** Current version of the stored format. */
export const SCHEDULE_VERSION = 1;

/**
 * Elapsed-time grid: occurrences at `anchor + k × every × unit` for every integer k. DST does not
 * affect it (90 minutes are always 90 minutes).
 */
export interface IntervalRule {
  readonly kind: 'interval';
  readonly unit: 'second' | 'minute' | 'hour';
  /** Step in `unit`s, ≥ 1. */
  readonly every: number;
  /** An instant on the grid (ms). Fixed at build time so the grid survives restarts. */
  readonly anchor: number;
  /** Second of the minute the grid is aligned to (minute schedules). */
  readonly atSecond?: number;
  /** Minute of the hour the grid is aligned to (hour schedules). */
  readonly atMinute?: number;
}

/** Which days of a month a monthly schedule fires on. */
export type WeekdayOfMonth = { readonly nth: 'first' | 'last'; readonly weekday: number };

/**
 * Wall-clock schedule in the schedule's time zone: on selected dates, at selected times of day.
 */
export interface CalendarRule {
  readonly kind: 'calendar';
  readonly unit: 'day' | 'week' | 'month';
  /** Step in `unit`s, ≥ 1 (every n days / weeks / months), counted from `start`. */
  readonly every: number;
  /**
   * Start of the step count: a day number (days since 1970-01-01) for `day`, the day number of a
   * Monday for `week`, a month number (`year × 12 + month - 1`) for `month`.
   */
  readonly start: number;
  /** Times of day in seconds after local midnight, sorted ascending, unique, non-empty. */
  readonly times: readonly number[];
  /** Weekdays (0 = Sunday … 6 = Saturday), sorted: the days of a week schedule, or a filter on a day schedule. */
  readonly weekdays?: readonly number[];
  /** Days of the month 1-31 (month schedules); a day beyond the month's end means its last day. */
  readonly monthDays?: readonly number[];
  /** The first or last given weekday of the month (month schedules). */
  readonly weekdayOfMonth?: WeekdayOfMonth;
  /** Months 1-12, sorted: a filter on any calendar schedule. */
  readonly months?: readonly number[];
}

export type { CronRule } from './cron-rule.js';

/** The rule of a stored schedule: an elapsed-time interval, a wall-clock calendar or a cron expression. */
export type ScheduleRule = IntervalRule | CalendarRule | CronRule;

/**
 * A validated recurring schedule. Build it with `buildSchedule`, store it with `serializeSchedule`,
 * read it back with `parseSchedule`.
 */
export interface RecurringSchedule {
  readonly version: typeof SCHEDULE_VERSION;
  readonly rule: ScheduleRule;
  /** IANA time zone of wall-clock rules (and of the alignment of interval grids). Default `'UTC'`. */
  readonly timeZone: string;
  /** A one-off first run before the recurrence (`runNow`, `runAt`, `runDelayed`), resolved to an instant. */
  readonly initialRun?: number;
  /** Total runs allowed, the initial run included (≥ 1). */
  readonly maxRuns?: number;
  /** Exclusive end: no occurrence at or after this instant fires. */
  readonly runUntil?: number;
  /** `'last'`: after downtime run the last missed occurrence once. Absent: skip missed occurrences. */
  readonly catchUp?: 'last';
}

/** Serialises a schedule to JSON for storage. */
export function serializeSchedule(schedule: RecurringSchedule): string {
  return JSON.stringify(checkSchedule(schedule));
}

/**
 * Parses and strictly validates a stored schedule. A corrupt or foreign value throws
 * `InvalidScheduleError` naming the bad field.
 */
export function parseSchedule(text: string): RecurringSchedule {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidScheduleError(`Stored schedule is not valid JSON: ${(error as Error).message}.`, { cause: error });
  }
  return checkSchedule(value);
}

/** Validates an object as a `RecurringSchedule`; returns a normalised copy. */
export function checkSchedule(value: unknown): RecurringSchedule {
  const o = record(value, 'schedule');
  allowKeys(o, 'schedule', ['version', 'rule', 'timeZone', 'initialRun', 'maxRuns', 'runUntil', 'catchUp']);
  if (o.version !== SCHEDULE_VERSION) {
    throw invalidSchedule('schedule.version', o.version, `${SCHEDULE_VERSION} (the only format this version reads)`);
  }
  const timeZone = canonicalTimeZone(o.timeZone);
  const rule = checkRule(o.rule);
  const out: { -readonly [K in keyof RecurringSchedule]: RecurringSchedule[K] } = {
    version: SCHEDULE_VERSION,
    rule,
    timeZone,
  };
  if (o.initialRun !== undefined) out.initialRun = instant(o.initialRun, 'schedule.initialRun');
  if (o.maxRuns !== undefined) out.maxRuns = integer(o.maxRuns, 'schedule.maxRuns', 1, Number.MAX_SAFE_INTEGER);
  if (o.runUntil !== undefined) out.runUntil = instant(o.runUntil, 'schedule.runUntil');
  if (o.catchUp !== undefined) {
    if (o.catchUp !== 'last') throw invalidSchedule('schedule.catchUp', o.catchUp, "'last' or absent");
    out.catchUp = 'last';
  }
  return out;
}

function checkRule(value: unknown): ScheduleRule {
  const o = record(value, 'schedule.rule');
  switch (o.kind) {
    case 'interval': {
      allowKeys(o, 'schedule.rule', ['kind', 'unit', 'every', 'anchor', 'atSecond', 'atMinute']);
      const unit = o.unit;
      if (unit !== 'second' && unit !== 'minute' && unit !== 'hour') {
        throw invalidSchedule('schedule.rule.unit', unit, "'second', 'minute' or 'hour'");
      }
      const rule: { -readonly [K in keyof IntervalRule]: IntervalRule[K] } = {
        kind: 'interval',
        unit,
        every: integer(o.every, 'schedule.rule.every', 1, MAX_STEP),
        anchor: instant(o.anchor, 'schedule.rule.anchor'),
      };
      if (o.atSecond !== undefined) rule.atSecond = integer(o.atSecond, 'schedule.rule.atSecond', 0, 59);
      if (o.atMinute !== undefined) rule.atMinute = integer(o.atMinute, 'schedule.rule.atMinute', 0, 59);
      return rule;
    }
    case 'calendar': {
      allowKeys(o, 'schedule.rule', [
        'kind',
        'unit',
        'every',
        'start',
        'times',
        'weekdays',
        'monthDays',
        'weekdayOfMonth',
        'months',
      ]);
      const unit = o.unit;
      if (unit !== 'day' && unit !== 'week' && unit !== 'month') {
        throw invalidSchedule('schedule.rule.unit', unit, "'day', 'week' or 'month'");
      }
      const rule: { -readonly [K in keyof CalendarRule]: CalendarRule[K] } = {
        kind: 'calendar',
        unit,
        every: integer(o.every, 'schedule.rule.every', 1, MAX_STEP),
        start: integer(o.start, 'schedule.rule.start', -10_000_000, 10_000_000),
        times: sortedList(o.times, 'schedule.rule.times', 0, 86_399),
      };
      if (rule.times.length === 0) throw invalidSchedule('schedule.rule.times', o.times, 'a non-empty list of seconds after midnight');
      if (o.weekdays !== undefined) rule.weekdays = nonEmpty(sortedList(o.weekdays, 'schedule.rule.weekdays', 0, 6), 'schedule.rule.weekdays');
      if (o.monthDays !== undefined) rule.monthDays = nonEmpty(sortedList(o.monthDays, 'schedule.rule.monthDays', 1, 31), 'schedule.rule.monthDays');
      if (o.months !== undefined) rule.months = nonEmpty(sortedList(o.months, 'schedule.rule.months', 1, 12), 'schedule.rule.months');
      if (o.weekdayOfMonth !== undefined) {
        const w = record(o.weekdayOfMonth, 'schedule.rule.weekdayOfMonth');
        allowKeys(w, 'schedule.rule.weekdayOfMonth', ['nth', 'weekday']);
        if (w.nth !== 'first' && w.nth !== 'last') throw invalidSchedule('schedule.rule.weekdayOfMonth.nth', w.nth, "'first' or 'last'");
        rule.weekdayOfMonth = { nth: w.nth, weekday: integer(w.weekday, 'schedule.rule.weekdayOfMonth.weekday', 0, 6) };
      }
      if (unit === 'month') {
        if ((rule.monthDays === undefined) === (rule.weekdayOfMonth === undefined)) {
          throw invalidSchedule('schedule.rule', 'monthDays/weekdayOfMonth', 'exactly one of monthDays or weekdayOfMonth for a month rule');
        }
        if (rule.weekdays !== undefined) throw invalidSchedule('schedule.rule.weekdays', rule.weekdays, 'absent on a month rule');
      } else {
        if (rule.monthDays !== undefined) throw invalidSchedule('schedule.rule.monthDays', rule.monthDays, 'absent unless unit is month');
        if (rule.weekdayOfMonth !== undefined) {
          throw invalidSchedule('schedule.rule.weekdayOfMonth', rule.weekdayOfMonth, 'absent unless unit is month');
        }
        if (unit === 'week' && rule.weekdays === undefined) throw invalidSchedule('schedule.rule.weekdays', undefined, 'a list for a week rule');
      }
      return rule;
    }
    case 'cron': {
      allowKeys(o, 'schedule.rule', ['kind', 'expression', 'dayMatch']);
      if (typeof o.expression !== 'string' || o.expression.trim() === '') {
        throw invalidSchedule('schedule.rule.expression', o.expression, 'a cron expression');
      }
      if (o.dayMatch !== undefined && o.dayMatch !== 'and') throw invalidSchedule('schedule.rule.dayMatch', o.dayMatch, "'and' or absent");
      compileCron(o.expression, o.dayMatch);
      return o.dayMatch === undefined ? { kind: 'cron', expression: o.expression } : { kind: 'cron', expression: o.expression, dayMatch: 'and' };
    }
    default:
      throw invalidSchedule('schedule.rule.kind', o.kind, "'interval', 'calendar' or 'cron'");
  }
}

/** Largest `every(n)` step accepted (any unit). */
export const MAX_STEP = 1_000_000;

/** The error a failed check of a stored schedule throws. */
function invalidSchedule(field: string, value: unknown, expected: string): InvalidScheduleError {
  return new InvalidScheduleError(`Invalid stored schedule: ${field} is ${describeValue(value)}; expected ${expected}.`);
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidSchedule(field, value, 'an object');
  return value as Record<string, unknown>;
}

function allowKeys(o: Record<string, unknown>, field: string, keys: readonly string[]): void {
  for (const key of Object.keys(o)) {
    if (!keys.includes(key)) throw invalidSchedule(`${field}.${key}`, o[key], `no such field (allowed: ${keys.join(', ')})`);
  }
}

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidSchedule(field, value, `an integer from ${min} to ${max}`);
  }
  return value;
}

/** Largest instant accepted: year 275760 is `Date`'s limit; stay far below it. */
const MAX_INSTANT = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

function instant(value: unknown, field: string): number {
  return integer(value, field, -MAX_INSTANT, MAX_INSTANT);
}

function sortedList(value: unknown, field: string, min: number, max: number): number[] {
  if (!Array.isArray(value)) throw invalidSchedule(field, value, `a list of integers from ${min} to ${max}`);
  const list = value.map((v, i) => integer(v, `${field}[${i}]`, min, max));
  for (let i = 1; i < list.length; i++) {
    if ((list[i] as number) <= (list[i - 1] as number)) throw invalidSchedule(field, value, 'a sorted list without duplicates');
  }
  return list;
}

function nonEmpty(list: number[], field: string): number[] {
  if (list.length === 0) throw invalidSchedule(field, list, 'a non-empty list');
  return list;
}
