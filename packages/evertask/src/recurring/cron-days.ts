/**
 * Which calendar days a parsed cron expression selects. croner does the searching; this predicate
 * checks the days croner cannot express (`L-n`, `L-nW`) and tells, before croner is asked, whether
 * an expression can match at all (croner recurses once per month it skips, so it must never be
 * sent searching for a date that does not exist).
 */
import type { CronSyntax } from './cron-syntax.js';
import { daysInMonth } from './zoned-time.js';

/** The days an expression selects. */
export interface DayPredicate {
  /** Whether a date (month 1-12) is selected. */
  selects(year: number, month: number, day: number): boolean;
  /** Whether any date, ever, is selected. */
  selectsSomeDay(): boolean;
}

/**
 * The day predicate of an expression. `both`: day-of-month and day-of-week must both match;
 * otherwise either. (Pass `both` when either field is unrestricted, starting with `*` or `?`.)
 */
export function dayPredicate(syntax: CronSyntax, both: boolean): DayPredicate {
  const months = new Set(syntax.months);
  const monthDays = new Set(syntax.monthDays);
  const weekdays = new Set(syntax.weekdays);
  const monthDaySpecial = syntax.monthDaySpecial;
  const weekdaySpecial = syntax.weekdaySpecial;
  const monthDayMatches = (year: number, month: number, day: number, length: number): boolean => {
    if (monthDaySpecial === undefined) return monthDays.has(day);
    if (monthDaySpecial.kind === 'nearest') {
      return monthDaySpecial.day <= length && nearestWeekday(year, month, monthDaySpecial.day) === day;
    }
    const target = length - monthDaySpecial.offset;
    return target >= 1 && (monthDaySpecial.weekday ? nearestWeekday(year, month, target) : target) === day;
  };
  const weekdayMatches = (weekday: number, day: number, length: number): boolean => {
    if (weekdaySpecial === undefined) return weekdays.has(weekday);
    if (weekday !== weekdaySpecial.weekday) return false;
    return weekdaySpecial.kind === 'last' ? day + 7 > length : Math.ceil(day / 7) === weekdaySpecial.nth;
  };
  const matches = (year: number, month: number, day: number, weekday: number, length: number): boolean => {
    const byMonthDay = monthDayMatches(year, month, day, length);
    const byWeekday = weekdayMatches(weekday, day, length);
    return both ? byMonthDay && byWeekday : byMonthDay || byWeekday;
  };
  return {
    selects(year, month, day) {
      const length = daysInMonth(year, month);
      if (!months.has(month) || day > length) return false;
      // Called for years 2000-2800 only (see cron-schedule.ts), where Date.UTC takes the year as is.
      return matches(year, month, day, new Date(Date.UTC(year, month - 1, day)).getUTCDay(), length);
    },
    selectsSomeDay() {
      // The Gregorian calendar repeats every 400 years, weekdays included.
      for (let year = 2000; year < 2400; year++) {
        for (const month of months) {
          const length = daysInMonth(year, month);
          const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
          for (let day = 1; day <= length; day++) if (matches(year, month, day, (first + day - 1) % 7, length)) return true;
        }
      }
      return false;
    },
  };
}

/** The weekday nearest `day` within its month (Saturday → Friday, Sunday → Monday, not leaving the month). */
export function nearestWeekday(year: number, month: number, day: number): number {
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  if (weekday === 0) return day === daysInMonth(year, month) ? day - 2 : day + 1;
  if (weekday === 6) return day === 1 ? day + 2 : day - 1;
  return day;
}
