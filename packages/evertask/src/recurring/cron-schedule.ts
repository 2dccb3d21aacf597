/**
 * Cron expressions evaluated on the wall clock of a time zone.
 *
 * Parsing and matching are croner's. croner's own time-zone mode moves a time inside a
 * spring-forward gap by the gap's length (02:30 → 03:30), unlike our rule, so croner only ever sees
 * wall times (run with a fixed UTC offset of 0) and this module maps them to instants with
 * `resolveWallTime`.
 *
 * DST: a nonexistent wall time fires once, at the first instant after the gap; a repeated wall time
 * fires once, at its earlier instant — except when the hour field matches every hour (`*`, e.g.
 * `0/5 * * * *`): such sub-hourly expressions keep their rhythm through the repeated hour and fire
 * in both passes, as Vixie cron does.
 */
import { Cron } from 'croner';
import { InvalidScheduleError } from '../errors.js';
import { offsetAt, resolveWallTime, toWallTime, HOUR_MS } from './zoned-time.js';

/** A compiled expression. */
export interface CompiledCron {
  /** The expression as written by the user. */
  readonly expression: string;
  /** Field texts after normalisation, always 6 (seconds first); `undefined` for nicknames. */
  readonly fields: readonly string[] | undefined;
  /** Next matching wall time strictly after `wall`, or undefined when there is none. */
  nextWall(wall: number): number | undefined;
  /** True when the hour field matches every hour. */
  readonly everyHour: boolean;
}

const NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 0 1 1 *',
  '@annually': '0 0 0 1 1 *',
  '@monthly': '0 0 0 1 * *',
  '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *',
  '@midnight': '0 0 0 * * *',
  '@hourly': '0 0 * * * *',
};

const cache = new Map<string, CompiledCron>();

/**
 * Compiles a cron expression: 5 fields (minute hour day-of-month month day-of-week) or 6 with a
 * leading seconds field; names (`MON`, `JAN`), lists, ranges, steps, `L`, `W`, `#` and `?` (in
 * the day fields, same as `*`); day-of-month and day-of-week combine with OR when both are
 * restricted (classic cron). Throws `InvalidScheduleError` naming the expression.
 */
export function compileCron(expression: unknown): CompiledCron {
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw new InvalidScheduleError(
      `cron() needs an expression such as '0 3 * * *' (5 fields) or '0 */5 * * * *' (6 fields, seconds first); received ${String(
        typeof expression === 'string' ? `"${expression}"` : expression,
      )}.`,
    );
  }
  const cached = cache.get(expression);
  if (cached !== undefined) return cached;
  const text = expression.trim().replace(/\s+/g, ' ');
  const nickname = NICKNAMES[text.toLowerCase()];
  const parts = (nickname ?? text).split(' ');
  if (parts.length !== 5 && parts.length !== 6) {
    throw new InvalidScheduleError(
      `cron expression "${expression}" has ${parts.length} fields; use 5 (minute hour day-of-month month day-of-week) or 6 with leading seconds.`,
    );
  }
  const fields = parts.length === 5 ? ['0', ...parts] : parts;
  fields.forEach((field, index) => {
    if (field.includes('?')) {
      if ((index === 3 || index === 5) && field === '?') fields[index] = '*';
      else {
        throw new InvalidScheduleError(
          `cron expression "${expression}": "?" is only allowed alone in the day-of-month or day-of-week field (it means "any").`,
        );
      }
    }
  });
  let cron: Cron;
  try {
    cron = new Cron(fields.join(' '), { utcOffset: 0, mode: '6-part', paused: true });
  } catch (error) {
    throw new InvalidScheduleError(`cron expression "${expression}" is invalid: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const compiled: CompiledCron = {
    expression,
    fields: nickname === undefined ? fields : undefined,
    everyHour: fields[2] === '*',
    nextWall(wall) {
      const next = cron.nextRun(new Date(wall));
      return next === null ? undefined : next.getTime();
    },
  };
  if (cache.size > 1000) cache.clear();
  cache.set(expression, compiled);
  return compiled;
}

/** Guard against expressions that match only far in the future (or never). */
const MAX_STEPS = 100_000;

/**
 * First instant strictly after `after` matching the expression in `zone`, or undefined when the
 * expression never matches again.
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
    if (cron.everyHour && after < transition + length) {
      const wall = cron.nextWall(Math.max(firstWall - 1, after + offsetAfter));
      if (wall !== undefined && wall < endWall) repeated = wall - offsetAfter;
    }
  }
  for (let step = 0; step < MAX_STEPS; step++) {
    const wall = cron.nextWall(from);
    if (wall === undefined) return repeated;
    const { instant } = resolveWallTime(zone, wall);
    if (repeated !== undefined && instant >= repeated) return repeated;
    if (instant > after) return instant;
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
