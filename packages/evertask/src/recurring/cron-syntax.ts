/**
 * The cron grammar of the .NET EverTask (its parser is HangfireIO/Cronos), checked field by field
 * and reduced to plain value sets plus the day-of-month and day-of-week specials. Matching and
 * searching are croner's (see `cron-schedule.ts`); this module only decides what an expression
 * means, so that a string accepted here means what it meant to a .NET user, and a string Cronos
 * refuses is refused here with the field and the fix named.
 *
 * Grammar, per field (seconds are optional and come first):
 * - `*` or `?` (any), optionally with a step: `*\/15`;
 * - otherwise a comma list of items, each a value (`5`, or a three-letter name `JAN`, `MON` in
 *   the month and weekday fields), a range `9-17` (a range whose start is after its end wraps
 *   around: `22-2`, `FRI-MON`, `55-5`), with an optional step `9-17/2`, or a value with a step
 *   `10/5` (from 10 to the field's end);
 * - steps run from 1 to the field's largest value (`*\/60` and `1/24` are refused);
 * - day of month, alone in the field: `L` (last day), `L-n` (n days before it, 0-30), `LW` and
 *   `L-nW` (the nearest weekday to those), `nW` (the weekday nearest day n);
 * - day of week (0-7, 0 and 7 are Sunday), alone in the field: `nL` (last such weekday of the
 *   month), `n#k` (k-th such weekday, 1-5);
 * - nicknames `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`,
 *   `@every_minute`, `@every_second`. `H` (hashed values) needs a seed and is refused.
 */
import { InvalidScheduleError } from '../errors.js';

interface FieldSpec {
  readonly label: string;
  readonly first: number;
  readonly last: number;
  readonly names?: readonly string[];
}

const MONTH_NAMES = ['', 'JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

const SECOND: FieldSpec = { label: 'second', first: 0, last: 59 };
const MINUTE: FieldSpec = { label: 'minute', first: 0, last: 59 };
const HOUR: FieldSpec = { label: 'hour', first: 0, last: 23 };
const DAY_OF_MONTH: FieldSpec = { label: 'day-of-month', first: 1, last: 31 };
const MONTH: FieldSpec = { label: 'month', first: 1, last: 12, names: MONTH_NAMES };
const DAY_OF_WEEK: FieldSpec = { label: 'day-of-week', first: 0, last: 7, names: WEEKDAY_NAMES };

/** A special day-of-month form. */
export type MonthDaySpecial =
  /** `L`, `L-n`, `LW`, `L-nW`: `offset` days before the last day, moved to the nearest weekday when `weekday`. */
  | { readonly kind: 'last'; readonly offset: number; readonly weekday: boolean }
  /** `nW`: the weekday nearest day `day`. */
  | { readonly kind: 'nearest'; readonly day: number };

/** A special day-of-week form. */
export type WeekdaySpecial =
  /** `nL`: the last `weekday` of the month. */
  | { readonly kind: 'last'; readonly weekday: number }
  /** `n#k`: the `nth` `weekday` of the month. */
  | { readonly kind: 'nth'; readonly weekday: number; readonly nth: number };

/** What an expression selects. Value lists are sorted and unique. */
export interface CronSyntax {
  readonly seconds: readonly number[];
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  /** Days 1-31; all of them when the field is `*`, `?` or a special. */
  readonly monthDays: readonly number[];
  readonly months: readonly number[];
  /** Weekdays 0-6 (0 = Sunday); all of them when the field is `*`, `?` or a special. */
  readonly weekdays: readonly number[];
  readonly monthDaySpecial?: MonthDaySpecial;
  readonly weekdaySpecial?: WeekdaySpecial;
  /** The field starts with `*` or `?` (unrestricted, in Vixie cron's sense). */
  readonly monthDayStar: boolean;
  readonly weekdayStar: boolean;
}

const NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 0 1 1 *',
  '@annually': '0 0 0 1 1 *',
  '@monthly': '0 0 0 1 * *',
  '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *',
  '@midnight': '0 0 0 * * *',
  '@hourly': '0 0 * * * *',
  '@every_minute': '0 * * * * *',
  '@every_second': '* * * * * *',
};

/** Fields of an expression after nicknames, seconds first (always 6). */
export function cronFields(expression: string): string[] {
  const text = expression.trim();
  if (text.startsWith('@')) {
    const expanded = NICKNAMES[text.toLowerCase()];
    if (expanded === undefined) {
      throw new InvalidScheduleError(
        `cron expression "${expression}": unknown nickname; use one of ${Object.keys(NICKNAMES).join(', ')}.`,
      );
    }
    return expanded.split(' ');
  }
  const parts = text.split(/[ \t]+/);
  if (parts.length !== 5 && parts.length !== 6) {
    throw new InvalidScheduleError(
      `cron expression "${expression}" has ${parts.length} fields; use 5 (minute hour day-of-month month day-of-week) or 6 with leading seconds.`,
    );
  }
  return parts.length === 5 ? ['0', ...parts] : parts;
}

/** Parses an expression (5 or 6 fields, or a nickname). Throws `InvalidScheduleError` naming the bad field. */
export function parseCron(expression: string): CronSyntax {
  const [second, minute, hour, monthDay, month, weekday] = cronFields(expression) as [string, string, string, string, string, string];
  const field = new FieldParser(expression);
  const monthDayPart = field.monthDay(monthDay);
  const weekdayPart = field.weekday(weekday);
  return {
    seconds: field.plain(second, SECOND),
    minutes: field.plain(minute, MINUTE),
    hours: field.plain(hour, HOUR),
    monthDays: monthDayPart.values,
    months: field.plain(month, MONTH),
    weekdays: weekdayPart.values,
    ...(monthDayPart.special && { monthDaySpecial: monthDayPart.special }),
    ...(weekdayPart.special && { weekdaySpecial: weekdayPart.special }),
    monthDayStar: isStar(monthDay),
    weekdayStar: isStar(weekday),
  };
}

function isStar(text: string): boolean {
  return text.startsWith('*') || text.startsWith('?');
}

const ALL_MONTH_DAYS = range(1, 31, 1);
const ALL_WEEKDAYS = range(0, 6, 1);

class FieldParser {
  constructor(private readonly expression: string) {}

  /** A field of values: `*`, `?`, lists, ranges (wrapping when reversed) and steps. */
  plain(text: string, spec: FieldSpec): number[] {
    if (isStar(text)) {
      if (text.length === 1) return this.normalise(spec, range(spec.first, spec.last, 1));
      if (text[1] !== '/') this.fail(spec, text, `"${text[0]}" stands alone or takes a step ("${text[0]}/5")`);
      return this.normalise(spec, range(spec.first, spec.last, this.step(text.slice(2), spec, text)));
    }
    const values = new Set<number>();
    for (const item of text.split(',')) {
      for (const value of this.item(item, spec, text)) values.add(value);
    }
    return this.normalise(spec, [...values]);
  }

  monthDay(text: string): { values: number[]; special?: MonthDaySpecial } {
    const upper = text.toUpperCase();
    const last = /^L(?:-(\d{1,2}))?(W?)$/.exec(upper);
    if (last !== null) {
      const offset = last[1] === undefined ? 0 : Number(last[1]);
      if (offset > 30) this.fail(DAY_OF_MONTH, text, 'L-n takes n from 0 to 30');
      return { values: ALL_MONTH_DAYS, special: { kind: 'last', offset, weekday: last[2] === 'W' } };
    }
    const nearest = /^(\d{1,2})W$/.exec(upper);
    if (nearest !== null) {
      const day = Number(nearest[1]);
      if (day < 1 || day > 31) this.fail(DAY_OF_MONTH, text, 'nW takes a day from 1 to 31');
      return { values: ALL_MONTH_DAYS, special: { kind: 'nearest', day } };
    }
    if (/[LW#]/.test(upper)) {
      this.fail(DAY_OF_MONTH, text, 'L, L-n, LW, L-nW and nW stand alone in the field (no lists, ranges or steps)');
    }
    return { values: this.plain(text, DAY_OF_MONTH) };
  }

  weekday(text: string): { values: number[]; special?: WeekdaySpecial } {
    const upper = text.toUpperCase();
    const special = /^([0-9]{1,2}|[A-Z]{3})(L|#(\d{1,2}))$/.exec(upper);
    if (special !== null) {
      const weekday = this.value(special[1] as string, DAY_OF_WEEK, text) % 7;
      if (special[2] === 'L') return { values: ALL_WEEKDAYS, special: { kind: 'last', weekday } };
      const nth = Number(special[3]);
      if (nth < 1 || nth > 5) this.fail(DAY_OF_WEEK, text, 'n#k takes k from 1 to 5');
      return { values: ALL_WEEKDAYS, special: { kind: 'nth', weekday, nth } };
    }
    if (/[#]|[0-9]L$/.test(upper) || upper === 'L' || upper === 'LW') {
      this.fail(DAY_OF_WEEK, text, 'nL (last weekday n of the month) and n#k (k-th weekday n, k 1-5) stand alone in the field');
    }
    return { values: this.plain(text, DAY_OF_WEEK) };
  }

  /** One list item: value, range, value/step or range/step. */
  private item(item: string, spec: FieldSpec, text: string): number[] {
    const match = /^([^-/]+)(?:-([^-/]+))?(?:\/(.*))?$/.exec(item);
    if (match === null) this.fail(spec, text, 'items are values, ranges (1-5) or steps (1/5, 1-30/5) separated by commas');
    const low = this.value(match[1] as string, spec, text);
    const rangeEnd = match[2];
    const stepText = match[3];
    const step = stepText === undefined ? 1 : this.step(stepText, spec, text);
    if (rangeEnd === undefined) return stepText === undefined ? [low] : range(low, spec.last, step);
    const high = this.value(rangeEnd, spec, text);
    if (low <= high) return range(low, high, step);
    // A reversed range wraps around: to the field's end, then on from its start keeping the step.
    // Day of week runs to 6 only, so that Sunday (0 and 7) is not counted twice.
    const end = spec === DAY_OF_WEEK ? 6 : spec.last;
    const head = range(low, end, step);
    const restart = spec.first + step - ((end - low) % step) - 1;
    return [...head, ...range(restart, high, step)];
  }

  private value(text: string, spec: FieldSpec, field: string): number {
    if (/^\d{1,2}$/.test(text)) {
      const value = Number(text);
      if (value >= spec.first && value <= spec.last) return value;
    } else if (spec.names !== undefined && /^[A-Za-z]{3}$/.test(text)) {
      const index = spec.names.indexOf(text.toUpperCase());
      if (index >= 0) return index;
    }
    if (/^H/i.test(text)) this.fail(spec, field, 'hashed values (H) need a seed and are not supported; write the value');
    const names = spec.names === undefined ? '' : ` or a name (${spec.names.slice(spec.first, spec.first + 7).filter(Boolean).join(', ')}…)`;
    return this.fail(spec, field, `values are numbers from ${spec.first} to ${spec.last}${names}; "${text}" is not one`);
  }

  private step(text: string, spec: FieldSpec, field: string): number {
    const step = /^\d{1,2}$/.test(text) ? Number(text) : Number.NaN;
    if (!(step >= 1 && step <= spec.last)) this.fail(spec, field, `a step must be a number from 1 to ${spec.last}`);
    return step;
  }

  /** Sorted, unique; weekday 7 is Sunday (0). */
  private normalise(spec: FieldSpec, values: number[]): number[] {
    const out = spec === DAY_OF_WEEK ? values.map((v) => v % 7) : values;
    return [...new Set(out)].sort((a, b) => a - b);
  }

  private fail(spec: FieldSpec, text: string, rule: string): never {
    throw new InvalidScheduleError(`cron expression "${this.expression}": ${spec.label} field "${text}" is invalid: ${rule}.`);
  }
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}
