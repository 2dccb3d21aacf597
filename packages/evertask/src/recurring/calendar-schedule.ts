/**
 * Wall-clock schedules (days, weeks, months) in a time zone: candidate dates are enumerated in
 * order, each date's times of day are resolved to instants with the DST rules of
 * `resolveWallTime`; a date the zone skipped entirely has no occurrences.
 */
import type { CalendarRule } from './schedule-spec.js';
import { civilDate, dayNumber, daysInMonth, DAY_MS, resolveWallTime, toWallTime, wallDay, weekdayOf } from './zoned-time.js';

/** Upper bound on candidate dates examined per call (about 270 years of days). */
const MAX_DATES = 100_000;

/** First instant strictly after `after`, or undefined when none exists within the search bound. */
export function calendarAfter(rule: CalendarRule, zone: string, after: number): number | undefined {
  // Start a day early: a time of the previous date can resolve past midnight only through a gap,
  // never past `after`, but starting early keeps the search obviously complete.
  const startDay = wallDay(toWallTime(zone, after)) - 1;
  let examined = 0;
  for (const day of candidateDays(rule, startDay)) {
    if (++examined > MAX_DATES) return undefined;
    for (const seconds of rule.times) {
      const resolved = resolveWallTime(zone, day * DAY_MS + seconds * 1000);
      if (resolved.dateSkipped === true) break;
      if (resolved.instant > after) return resolved.instant;
    }
  }
  return undefined;
}

/** Dates (day numbers, ascending, ≥ `fromDay`) on which the rule fires. */
export function* candidateDays(rule: CalendarRule, fromDay: number): Generator<number, void, undefined> {
  const months = rule.months;
  const inMonths = (day: number): boolean => months === undefined || months.includes(civilDate(day).month);
  // Every loop is bounded: a rule whose filters exclude each other must not spin forever.
  let spins = 0;
  switch (rule.unit) {
    case 'day': {
      const weekdays = rule.weekdays;
      let day = rule.start + Math.max(0, Math.ceil((fromDay - rule.start) / rule.every)) * rule.every;
      if (day < fromDay) day += rule.every;
      for (; spins++ < MAX_DATES; day += rule.every) {
        if (weekdays !== undefined && !weekdays.includes(weekdayOf(day))) continue;
        if (inMonths(day)) yield day;
      }
      return;
    }
    case 'week': {
      const step = rule.every * 7;
      const offsets = (rule.weekdays ?? [1]).map((w) => (w + 6) % 7).sort((a, b) => a - b); // Monday = 0
      let monday = rule.start + Math.max(0, Math.floor((fromDay - rule.start) / step)) * step;
      for (; spins++ < MAX_DATES; monday += step) {
        for (const offset of offsets) {
          const day = monday + offset;
          if (day >= fromDay && inMonths(day)) yield day;
        }
      }
      return;
    }
    case 'month': {
      const from = civilDate(fromDay);
      const fromMonth = from.year * 12 + from.month - 1;
      let month = rule.start + Math.max(0, Math.floor((fromMonth - rule.start) / rule.every)) * rule.every;
      for (; spins++ < MAX_DATES; month += rule.every) {
        const year = Math.floor(month / 12);
        const monthOfYear = month - year * 12 + 1;
        if (months !== undefined && !months.includes(monthOfYear)) continue;
        for (const day of daysOfMonth(rule, year, monthOfYear)) {
          if (day >= fromDay) yield day;
        }
      }
      return;
    }
  }
}

/** Day numbers a month rule fires on in one month, ascending, without duplicates. */
function daysOfMonth(rule: CalendarRule, year: number, month: number): number[] {
  const first = dayNumber(year, month, 1);
  const length = daysInMonth(year, month);
  const nth = rule.weekdayOfMonth;
  if (nth !== undefined) {
    if (nth.nth === 'first') return [first + ((nth.weekday - weekdayOf(first) + 7) % 7)];
    const last = first + length - 1;
    return [last - ((weekdayOf(last) - nth.weekday + 7) % 7)];
  }
  const days = new Set<number>();
  for (const d of rule.monthDays ?? [1]) days.add(first + Math.min(d, length) - 1);
  return [...days].sort((a, b) => a - b);
}
