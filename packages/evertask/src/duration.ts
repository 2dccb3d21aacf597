import { InvalidArgumentError } from './errors.js';

/** Milliseconds, or a string such as `'500ms'`, `'5s'`, `'10m'`, `'2h'`, `'1d'` (also `'1.5h'`, `'1h30m'`). */
export type Duration = number | string;

/**
 * The instants every storage can hold: 0001-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z, as
 * epoch milliseconds (what a four-digit-year timestamp column and an ISO-8601 string can carry).
 */
export const MIN_INSTANT_MS = -62_135_596_800_000;
export const MAX_INSTANT_MS = 253_402_300_799_999;

/** The longest duration accepted anywhere (a delay, timeout, lease, retry delay): 1000 years of 365.25 days. */
export const MAX_DURATION_MS = 1000 * 365.25 * 86_400_000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/gy;

/**
 * Converts a duration to milliseconds. `what` names the option in error messages.
 * Throws `InvalidArgumentError` for negative, non-finite or malformed values.
 */
export function toMilliseconds(value: Duration, what: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) {
      throw new InvalidArgumentError(`${what} must be a non-negative number of milliseconds; received ${String(value)}.`);
    }
    if (value > MAX_DURATION_MS) {
      throw new InvalidArgumentError(
        `${what} of ${String(value)} ms is longer than the longest duration EverTask accepts (1000 years, ${MAX_DURATION_MS} ms); pass a shorter one.`,
      );
    }
    return value;
  }
  if (typeof value !== 'string') {
    throw new InvalidArgumentError(`${what} must be milliseconds or a string like '5s'; received ${typeof value}.`);
  }
  const text = value.trim().toLowerCase();
  let total = 0;
  let matched = 0;
  PART.lastIndex = 0;
  if (/^\d+(\.\d+)?$/.test(text)) return toMilliseconds(Number(text), what);
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const m = PART.exec(text);
    if (!m || m.index !== start) {
      matched = 0;
      break;
    }
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    matched++;
    while (text[PART.lastIndex] === ' ') PART.lastIndex++;
  }
  if (matched === 0) {
    throw new InvalidArgumentError(
      `${what} "${value}" is not a duration; use milliseconds or a string such as '500ms', '5s', '10m', '2h' or '1d'.`,
    );
  }
  return toMilliseconds(Math.round(total), what);
}

/**
 * Checks that an instant (epoch ms) lies in the range every storage holds (years 0001–9999);
 * `what` names the option in the error. Returns the instant.
 */
export function checkInstant(ms: number, what: string): number {
  if (!Number.isFinite(ms) || ms < MIN_INSTANT_MS || ms > MAX_INSTANT_MS) {
    const shown = Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${String(ms)} ms`;
    throw new InvalidArgumentError(
      `${what} (${shown}) is outside the instants EverTask stores, 0001-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z; pass a time within them.`,
    );
  }
  return ms;
}

/** Like `toMilliseconds` but `undefined`/`null` stay undefined. */
export function optionalMilliseconds(value: Duration | null | undefined, what: string): number | undefined {
  return value === undefined || value === null ? undefined : toMilliseconds(value, what);
}
