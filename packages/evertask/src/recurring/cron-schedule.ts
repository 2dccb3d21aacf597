/**
 * Cron expressions evaluated on the wall clock of a time zone.
 *
 * `cron-syntax.ts` decides what an expression means (the grammar of the .NET EverTask's parser,
 * Cronos); croner searches for the next matching wall time. This module adds what croner lacks:
 * `L-n` / `L-nW` (croner is given the candidate days and the wrong ones are skipped), the whole
 * range of years `Date` holds (the Gregorian calendar repeats every 400 years, weekdays included,
 * so croner only ever searches years 2000-2800, where it has no year limits and no two-digit-year
 * quirks), and the DST rules: croner sees wall times only (a fixed UTC offset of 0), which this
 * module maps to instants with `resolveWallTime`.
 *
 * DST: a nonexistent wall time fires once, at the first instant after the gap; a calendar date the
 * zone skips entirely has no occurrences; a repeated wall time fires once, at its earlier instant —
 * except when the hour field selects the repeated hour and the hour after it (`*`, `*\/1`, `0-23`,
 * `1-9` where 01:00-01:59 repeats): such expressions run hourly there, keep their rhythm through
 * the repeated hour and fire in both passes.
 */
import { Cron } from 'croner';
import { InvalidScheduleError } from '../errors.js';
import { dayPredicate } from './cron-days.js';
import type { DayPredicate } from './cron-days.js';
import { parseCron } from './cron-syntax.js';
import type { CronSyntax } from './cron-syntax.js';
import type { CronRule } from './cron-rule.js';
import { DAY_MS, HOUR_MS, offsetAt, resolveWallTime, toWallTime, wallDay } from './zoned-time.js';
import { describeValue } from '../describe-value.js';

/**
 * How a cron expression combines a restricted day-of-month with a restricted day-of-week:
 * `'or'` (a day matching either runs; Vixie cron, the default) or `'and'` (a day must match both;
 * what Cronos, the .NET EverTask's parser, does). A field that starts with `*` or `?` is not
 * restricted, so `0 0 * * MON` means Mondays either way.
 */
export type CronDayMatch = 'or' | 'and';

/** Options of `cron(expression, options)`. */
export interface CronOptions {
  /**
   * How a restricted day-of-month and a restricted day-of-week combine: `'or'` (either matches;
   * Vixie cron) or `'and'` (both must match; Cronos, the parser of the .NET EverTask — use it
   * for expressions brought from there, such as `0 0 13 * FRI` for Friday the 13th).
   * Default `'or'`.
   */
  readonly dayMatch?: CronDayMatch;
}

/** Validates `cron(expression, options)` and returns the stored rule. */
export function cronRule(expression: unknown, options: unknown = {}): CronRule {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidScheduleError(`cron() options must be an object such as { dayMatch: 'and' }; received ${describeValue(options)}.`);
  }
  const { dayMatch, ...rest } = options as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw new InvalidScheduleError(`cron() has no option "${extra}"; the only option is dayMatch.`);
  if (dayMatch !== undefined && dayMatch !== 'or' && dayMatch !== 'and') {
    throw new InvalidScheduleError(`cron() option dayMatch is ${describeValue(dayMatch)}; use 'or' (the default) or 'and'.`);
  }
  compileCron(expression, dayMatch);
  const text = (expression as string).trim();
  return dayMatch === 'and' ? { kind: 'cron', expression: text, dayMatch } : { kind: 'cron', expression: text };
}

/** True when the rule's selections can ever match (in some year; the calendar repeats every 400 years). */
export function cronCanMatch(rule: CronRule): boolean {
  return compileCron(rule.expression, rule.dayMatch).nextWall(CYCLE_START) !== undefined;
}

/** A compiled expression. */
export interface CompiledCron {
  /** The expression as written by the user. */
  readonly expression: string;
  /** What it selects. */
  readonly syntax: CronSyntax;
  /** Next matching wall time strictly after `wall`, or undefined when there is none. */
  nextWall(wall: number): number | undefined;
  /** True when the hour field selects `hour` and the hour after it: the schedule runs hourly there. */
  hourlyAt(hour: number): boolean;
}

/** A croner pattern, and for `L-n` a check that the candidate day it found is the right one. */
interface Matcher {
  readonly cron: Cron;
  readonly accepts?: (wall: number) => boolean;
}

/** 400 Gregorian years: 146 097 days, a whole number of weeks. */
const CYCLE_MS = 146_097 * DAY_MS;
const CYCLE_START = Date.UTC(2000, 0, 1);

const cache = new Map<string, CompiledCron>();

/**
 * Compiles a cron expression (see `cron-syntax.ts` for the grammar). Throws
 * `InvalidScheduleError` naming the expression and the bad field.
 */
export function compileCron(expression: unknown, dayMatch: CronDayMatch = 'or'): CompiledCron {
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw new InvalidScheduleError(
      `cron() needs an expression such as '0 3 * * *' (5 fields) or '0 */5 * * * *' (6 fields, seconds first); received ${describeValue(expression)}.`,
    );
  }
  const key = `${dayMatch} ${expression}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const syntax = parseCron(expression);
  const both = dayMatch === 'and' || syntax.monthDayStar || syntax.weekdayStar;
  const days = dayPredicate(syntax, both);
  const matchers = days.selectsSomeDay() ? buildMatchers(syntax, both, days) : [];
  const compiled: CompiledCron = {
    expression,
    syntax,
    hourlyAt: (hour) => syntax.hours.includes(hour) && syntax.hours.includes((hour + 1) % 24),
    nextWall(wall) {
      const cycles = Math.floor((wall - CYCLE_START) / CYCLE_MS);
      const from = wall - cycles * CYCLE_MS;
      let best: number | undefined;
      for (const matcher of matchers) {
        const next = nextMatch(matcher, from, from + CYCLE_MS + DAY_MS);
        if (next !== undefined && (best === undefined || next < best)) best = next;
      }
      return best === undefined ? undefined : best + cycles * CYCLE_MS;
    },
  };
  if (cache.size > 1000) cache.clear();
  cache.set(key, compiled);
  return compiled;
}

function buildMatchers(syntax: CronSyntax, both: boolean, days: DayPredicate): Matcher[] {
  const list = (values: readonly number[], all: number): string => (values.length === all ? '*' : values.join(','));
  const time = `${list(syntax.seconds, 60)} ${list(syntax.minutes, 60)} ${list(syntax.hours, 24)}`;
  const month = list(syntax.months, 12);
  const weekdaySpecial = syntax.weekdaySpecial;
  const weekday =
    weekdaySpecial === undefined
      ? syntax.weekdayStar && syntax.weekdays.length === 7
        ? '*'
        : syntax.weekdays.join(',')
      : `${weekdaySpecial.weekday}${weekdaySpecial.kind === 'last' ? 'L' : `#${weekdaySpecial.nth}`}`;
  const make = (monthDay: string, weekdays: string, accepts?: (wall: number) => boolean): Matcher => ({
    cron: new Cron(`${time} ${monthDay} ${month} ${weekdays}`, { utcOffset: 0, mode: '6-part', paused: true, domAndDow: both }),
    ...(accepts && { accepts }),
  });
  const special = syntax.monthDaySpecial;
  if (special?.kind === 'last' && special.offset > 0) {
    // croner has no L-n: give it the day L-n would be in months of 28 to 31 days, keep the right one.
    const candidates = [...new Set([28, 29, 30, 31].map((length) => length - special.offset).filter((day) => day >= 1))];
    const accepts = (wall: number): boolean => {
      const date = new Date(wall);
      return days.selects(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
    };
    return [make(candidates.map((day) => (special.weekday ? `${day}W` : String(day))).join(','), weekday, accepts)];
  }
  let monthDay: string;
  if (special?.kind === 'last') monthDay = special.weekday ? 'LW' : 'L';
  else if (special?.kind === 'nearest') monthDay = `${special.day}W`;
  else monthDay = syntax.monthDayStar && syntax.monthDays.length === 31 ? '*' : syntax.monthDays.join(',');
  return [make(monthDay, weekday)];
}

function nextMatch(matcher: Matcher, wall: number, limit: number): number | undefined {
  let from = wall;
  for (;;) {
    const next = matcher.cron.nextRun(new Date(from));
    if (next === null || next.getTime() > limit) return undefined;
    const found = next.getTime();
    if (matcher.accepts === undefined || matcher.accepts(found)) return found;
    from = (wallDay(found) + 1) * DAY_MS - 1000;
  }
}

/** Guard against expressions that match only far in the future (or never). */
const MAX_STEPS = 100_000;
/** The largest instant a `Date` holds. */
const MAX_DATE_MS = 8.64e15;

/**
 * First instant strictly after `after` matching the expression in `zone`, or undefined when the
 * expression never matches again (within the range of `Date`).
 */
export function cronAfter(cron: CompiledCron, zone: string, after: number): number | undefined {
  let from = toWallTime(zone, after) - 1;
  let repeated: number | undefined;
  const overlap = fallBackNear(zone, after);
  if (overlap !== undefined) {
    const { transition, offsetBefore, offsetAfter } = overlap;
    const length = offsetBefore - offsetAfter;
    const firstWall = transition + offsetAfter;
    const endWall = transition + offsetBefore;
    if (after >= transition && after < transition + length) {
      // In the second pass: every repeated wall time's first instant is already past.
      from = Math.max(from, endWall - 1);
    }
    if (cron.hourlyAt(new Date(firstWall).getUTCHours()) && after < transition + length) {
      const wall = cron.nextWall(Math.max(firstWall - 1, after + offsetAfter));
      if (wall !== undefined && wall < endWall) repeated = wall - offsetAfter;
    }
  }
  for (let step = 0; step < MAX_STEPS; step++) {
    const wall = cron.nextWall(from);
    if (wall === undefined || wall - 14 * HOUR_MS > MAX_DATE_MS) return repeated;
    const resolved = resolveWallTime(zone, wall);
    if (resolved.dateSkipped === true) {
      from = (wallDay(wall) + 1) * DAY_MS - 1;
      continue;
    }
    const { instant } = resolved;
    if (repeated !== undefined && instant >= repeated) return repeated;
    if (instant > after) return instant > MAX_DATE_MS ? undefined : instant;
    from = wall;
  }
  return repeated;
}

/** A fall-back transition within a few hours of `instant`, if any. */
function fallBackNear(
  zone: string,
  instant: number,
): { transition: number; offsetBefore: number; offsetAfter: number } | undefined {
  if (zone === 'UTC') return undefined;
  const offsetBefore = offsetAt(zone, instant - 4 * HOUR_MS);
  const offsetAfter = offsetAt(zone, instant + 4 * HOUR_MS);
  if (offsetBefore <= offsetAfter) return undefined;
  let lo = Math.floor((instant - 4 * HOUR_MS) / 1000) * 1000;
  let hi = Math.ceil((instant + 4 * HOUR_MS) / 1000) * 1000;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(zone, mid) === offsetBefore) lo = mid;
    else hi = mid;
  }
  return { transition: hi, offsetBefore, offsetAfter };
}
