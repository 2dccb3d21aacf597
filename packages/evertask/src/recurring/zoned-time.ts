/**
 * Time-zone arithmetic on top of `Intl.DateTimeFormat` (full ICU in Node 20).
 *
 * Two time scales are used in this module:
 * - an *instant*: epoch milliseconds (UTC);
 * - a *wall time*: the local date and time in a zone, encoded as the epoch milliseconds that the
 *   same fields would have in UTC (`Date.UTC(year, month - 1, day, hour, minute, second)`). Wall
 *   times can be compared and stepped like instants, and the UTC getters of `new Date(wall)` read the
 *   local fields back.
 *
 * The DST rules of the recurring module live here, in {@link resolveWallTime}.
 */
import { describeValue } from '../describe-value.js';
import { InvalidScheduleError } from '../errors.js';

const MINUTE_MS = 60_000;
const MAX_DATE_MS = 8.64e15;
const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Half-width of the window assumed to hold at most one offset change. */
const SPAN_MS = 48 * HOUR_MS;
/** Offsets lie within [-12 h, +14 h]; this margin brackets every instant a wall time can map to. */
const WINDOW_MS = 15 * HOUR_MS;

interface OffsetSpan {
  readonly from: number;
  readonly to: number;
  readonly offset: number;
}

class ZoneOffsets {
  private readonly format: Intl.DateTimeFormat | undefined;
  private span: OffsetSpan | undefined;

  constructor(readonly zone: string) {
    this.format =
      zone === 'UTC'
        ? undefined
        : new Intl.DateTimeFormat('en-US', {
            timeZone: zone,
            hourCycle: 'h23',
            era: 'short',
            year: 'numeric',
            month: 'numeric',
            day: 'numeric',
            hour: 'numeric',
            minute: 'numeric',
            second: 'numeric',
          });
  }

  /** UTC offset in milliseconds at `instant` (positive east of Greenwich). */
  offsetAt(instant: number): number {
    if (this.format === undefined) return 0;
    const span = this.span;
    if (span !== undefined && instant >= span.from && instant <= span.to) return span.offset;
    const offset = this.raw(instant);
    // Assumes a zone never changes offset twice within SPAN_MS and ends where it started; true of
    // every rule in the tz database since zones adopted standard time.
    if (this.raw(instant - SPAN_MS) === offset && this.raw(instant + SPAN_MS) === offset) {
      this.span = { from: instant - SPAN_MS, to: instant + SPAN_MS, offset };
    }
    return offset;
  }

  private raw(instant: number): number {
    // Beyond the range of `Date` the offset is the one at its edge.
    const seconds = Math.floor(Math.min(Math.max(instant, -MAX_DATE_MS), MAX_DATE_MS) / 1000) * 1000;
    const parts = (this.format as Intl.DateTimeFormat).formatToParts(seconds);
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let bc = false;
    for (const part of parts) {
      switch (part.type) {
        case 'year':
          year = Number(part.value);
          break;
        case 'month':
          month = Number(part.value);
          break;
        case 'day':
          day = Number(part.value);
          break;
        case 'hour':
          hour = Number(part.value);
          break;
        case 'minute':
          minute = Number(part.value);
          break;
        case 'second':
          second = Number(part.value);
          break;
        case 'era':
          bc = part.value === 'BC' || part.value === 'B';
          break;
        default:
          break;
      }
    }
    const wall = utcFields(bc ? 1 - year : year, month, day, hour, minute, second);
    return wall - seconds;
  }
}

const zones = new Map<string, ZoneOffsets>();

function zoneOffsets(zone: string): ZoneOffsets {
  let z = zones.get(zone);
  if (z === undefined) {
    z = new ZoneOffsets(zone);
    if (zones.size > 500) zones.clear();
    zones.set(zone, z);
  }
  return z;
}

/** `Date.UTC` that also handles years 0-99 literally. */
function utcFields(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/**
 * Validates an IANA time-zone name and returns its canonical spelling (`'utc'` → `'UTC'`).
 * Throws `InvalidScheduleError` naming `timeZone` when the runtime does not know the zone.
 */
export function canonicalTimeZone(zone: unknown): string {
  const known = typeof zone === 'string' ? canonicalZones.get(zone) : undefined;
  if (known !== undefined) return known;
  const canonical = resolveTimeZone(zone);
  if (canonicalZones.size >= 500) canonicalZones.clear();
  canonicalZones.set(zone as string, canonical);
  return canonical;
}

/** Zone names already validated (building an `Intl.DateTimeFormat` costs tens of microseconds). */
const canonicalZones = new Map<string, string>();

function resolveTimeZone(zone: unknown): string {
  if (typeof zone !== 'string' || zone.trim() === '') {
    throw new InvalidScheduleError(
      `timeZone must be an IANA time-zone name such as 'Europe/Rome' or 'UTC'; received ${describeValue(zone)}.`,
    );
  }
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone.trim() }).resolvedOptions().timeZone;
  } catch (error) {
    throw new InvalidScheduleError(
      `timeZone "${zone}" is not a known IANA time zone; use a name such as 'Europe/Rome', 'America/New_York' or 'UTC'.`,
      { cause: error },
    );
  }
  return resolved === 'Etc/UTC' || resolved === 'Etc/GMT' || resolved === 'GMT' ? 'UTC' : resolved;
}

/** UTC offset (ms) of `zone` at `instant`. */
export function offsetAt(zone: string, instant: number): number {
  return zoneOffsets(zone).offsetAt(instant);
}

/** Wall time of `instant` in `zone`. */
export function toWallTime(zone: string, instant: number): number {
  return instant + offsetAt(zone, instant);
}

/** The instants a wall time maps to. */
export interface ResolvedWallTime {
  /**
   * The instant the schedule uses: the only one, or the earlier one of a repeated (fall-back) wall
   * time, or — for a wall time skipped by a spring-forward gap — the first instant after the gap
   * (the transition itself, e.g. 02:30 on a 02:00→03:00 day resolves to 03:00 local).
   */
  readonly instant: number;
  /** The later instant of a wall time that occurs twice (fall-back overlap). */
  readonly repeated?: number;
  /** True when the wall time does not exist (spring-forward gap). */
  readonly skipped?: boolean;
  /**
   * True when no time of the wall time's calendar date exists: the zone skipped the whole date
   * (Pacific/Apia, 30 December 2011). Schedules have no occurrences on such a date.
   */
  readonly dateSkipped?: boolean;
}

/**
 * Maps a wall time in `zone` to instants, applying the two DST rules:
 * a nonexistent wall time → the first valid instant after it; a repeated wall time → the earlier
 * instant (the later one is reported in `repeated`). A wall time on a date the zone skipped
 * entirely is flagged `dateSkipped`: schedules skip it.
 */
export function resolveWallTime(zone: string, wall: number): ResolvedWallTime {
  const z = zoneOffsets(zone);
  const before = z.offsetAt(wall - WINDOW_MS);
  const after = z.offsetAt(wall + WINDOW_MS);
  if (before === after) {
    const instant = wall - before;
    if (z.offsetAt(instant) === before) return { instant };
  }
  const valid: number[] = [];
  for (const offset of new Set([before, after, z.offsetAt(wall)])) {
    const instant = wall - offset;
    if (z.offsetAt(instant) === offset) valid.push(instant);
  }
  valid.sort((a, b) => a - b);
  const first = valid[0];
  if (first !== undefined) {
    const last = valid[valid.length - 1] as number;
    return last !== first ? { instant: first, repeated: last } : { instant: first };
  }
  // Gap: the offset grows from `before` to `after` somewhere in (wall - after, wall - before].
  let lo = Math.floor((wall - Math.max(before, after)) / 1000) * 1000;
  let hi = Math.ceil((wall - Math.min(before, after)) / 1000) * 1000;
  const startOffset = z.offsetAt(lo);
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (z.offsetAt(mid) === startOffset) lo = mid;
    else hi = mid;
  }
  const day = wallDay(wall) * DAY_MS;
  const dateSkipped = hi + z.offsetAt(hi - 1000) <= day && hi + z.offsetAt(hi) >= day + DAY_MS;
  return dateSkipped ? { instant: hi, skipped: true, dateSkipped } : { instant: hi, skipped: true };
}

/** Calendar fields of a wall time (or of an instant in UTC). */
export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** Days since 1970-01-01 of a civil date. */
export function dayNumber(year: number, month: number, day: number): number {
  return Math.floor(utcFields(year, month, day) / DAY_MS);
}

/** Civil date of a day number. */
export function civilDate(dayNo: number): CivilDate {
  const d = new Date(dayNo * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Weekday of a day number: 0 = Sunday … 6 = Saturday. */
export function weekdayOf(dayNo: number): number {
  return (((dayNo + 4) % 7) + 7) % 7;
}

/** Number of days in a month. */
export function daysInMonth(year: number, month: number): number {
  return new Date(utcFields(year, month + 1, 0)).getUTCDate();
}

/** Day number of a wall time. */
export function wallDay(wall: number): number {
  return Math.floor(wall / DAY_MS);
}

export { MINUTE_MS, HOUR_MS };
