/** Parsing of the values the schedule builder accepts: weekdays, times of day, months, instants. */
import { InvalidScheduleError } from '../errors.js';
import { MAX_INSTANT_MS, MIN_INSTANT_MS } from '../duration.js';

/**
 * A weekday: a number 0-6 (0 = Sunday, 1 = Monday … 6 = Saturday, as `Date.getDay()`) or an
 * English name, full or three letters, any case (`'monday'`, `'Mon'`, `'SUN'`).
 */
export type Weekday =
  | 0
  | 1
  | 2
  | 3
  | 4
  | 5
  | 6
  | 'sunday'
  | 'monday'
  | 'tuesday'
  | 'wednesday'
  | 'thursday'
  | 'friday'
  | 'saturday'
  | 'sun'
  | 'mon'
  | 'tue'
  | 'wed'
  | 'thu'
  | 'fri'
  | 'sat'
  | (string & {})
  | (number & {});

export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
export const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/** Converts a weekday name or number to 0-6 (0 = Sunday). `part` names the builder call. */
export function parseWeekday(value: unknown, part: string): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= 6) return value;
  } else if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    const index = WEEKDAY_NAMES.findIndex((name) => {
      const n = name.toLowerCase();
      return n === text || n.slice(0, 3) === text;
    });
    if (index >= 0) return index;
  }
  throw new InvalidScheduleError(
    `${part} is not a weekday; use 0-6 (0 = Sunday, 6 = Saturday) or a name such as 'monday' or 'Mon'.`,
  );
}

/**
 * Parses `'HH:mm'` or `'HH:mm:ss'` (24-hour clock, 00:00 to 23:59:59) to seconds after midnight.
 */
export function parseTimeOfDay(value: unknown, part: string): number {
  const match = typeof value === 'string' ? /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim()) : null;
  if (match !== null) {
    const hour = Number(match[1]);
    const minute = Number(match[2]);
    const second = match[3] === undefined ? 0 : Number(match[3]);
    if (hour <= 23 && minute <= 59 && second <= 59) return hour * 3600 + minute * 60 + second;
  }
  throw new InvalidScheduleError(
    `${part} is not a time of day; use 'HH:mm' or 'HH:mm:ss' on a 24-hour clock, from '00:00' to '23:59:59'.`,
  );
}

/** Formats seconds after midnight as `HH:mm`, or `HH:mm:ss` when the seconds are not zero. */
export function formatTimeOfDay(seconds: number): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const text = `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}`;
  return seconds % 60 === 0 ? text : `${text}:${pad(seconds % 60)}`;
}

/** Checks an integer within a range; `part` names the builder call, `hint` the fix. */
export function parseInteger(value: unknown, part: string, min: number, max: number, hint = ''): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  throw new InvalidScheduleError(
    `${part} is out of range; use an integer from ${min} to ${max}${hint ? ` ${hint}` : ''}.`,
  );
}

/**
 * Converts a `Date`, epoch milliseconds or ISO-8601 string to epoch milliseconds. A `stored`
 * instant (a schedule's `runAt`, `runUntil`) must lie within what every storage holds; a
 * computation-only one (`nextOccurrences`' `from`) may be any instant `Date` holds.
 */
export function parseInstant(value: unknown, part: string, range: 'stored' | 'any' = 'stored'): number {
  let ms = Number.NaN;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') ms = value;
  else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/i.test(value.trim())) {
    ms = Date.parse(value);
  }
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
    throw new InvalidScheduleError(
      `${part} is not an instant; pass a valid Date, epoch milliseconds or an ISO-8601 string with an offset ('2026-05-01T09:00:00Z').`,
    );
  }
  if (range === 'stored' && (ms < MIN_INSTANT_MS || ms > MAX_INSTANT_MS)) {
    throw new InvalidScheduleError(
      `${part} is outside the instants EverTask stores, 0001-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z; pass a time within them.`,
    );
  }
  return Math.trunc(ms);
}

/** Sorted, de-duplicated copy. */
export function sortedUnique(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/** "A, B and C". */
export function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] as string}`;
}

/** "every minute", "every 5 minutes". */
export function every(n: number, unit: string): string {
  return n === 1 ? `every ${unit}` : `every ${n} ${unit}s`;
}

/** "1st", "22nd". */
export function ordinal(n: number): string {
  const suffix = n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

/** "weekdays", "weekends", "Monday and Friday" (0 = Sunday). */
export function describeWeekdays(days: readonly number[]): string {
  const key = days.join(',');
  if (key === '1,2,3,4,5') return 'weekdays';
  if (key === '0,6') return 'weekends';
  return joinAnd(days.map((d) => WEEKDAY_NAMES[d] as string));
}
