import { InvalidArgumentError } from './errors.js';

/** Milliseconds, or a string such as `'500ms'`, `'5s'`, `'10m'`, `'2h'`, `'1d'` (also `'1.5h'`, `'1h30m'`). */
export type Duration = number | string;

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
  return Math.round(total);
}

/** Like `toMilliseconds` but `undefined`/`null` stay undefined. */
export function optionalMilliseconds(value: Duration | null | undefined, what: string): number | undefined {
  return value === undefined || value === null ? undefined : toMilliseconds(value, what);
}
