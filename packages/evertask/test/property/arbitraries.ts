import fc from 'fast-check';
import { expect } from 'vitest';
import { EverTaskError } from '../../src/index.js';

/**
 * Shared pieces of the property-based tests: arbitrary values of every JavaScript kind, and the
 * one verdict every public entry point must meet for any input — it returns, or it throws an
 * `EverTaskError` with a code and a message. A TypeError, RangeError or a bare Error is a defect.
 */

/** Run count kept modest so `npm test` stays fast on a loaded machine (fast-check prints the seed on failure). */
export const RUNS = { numRuns: 150 } as const;

/** Any value a caller might pass by mistake: primitives, odd numbers, arrays, objects, functions, symbols, dates. */
export const anything: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(undefined, null, true, false, NaN, Infinity, -Infinity, -0, 0, -1, 1.5, 2 ** 53, -(2 ** 53)),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('', ' ', '\0', 'null', 'undefined', '__proto__', 'constructor', "'; DROP TABLE x; --", '%', '_', '\\'),
  fc.bigInt(),
  fc.date({ noInvalidDate: false }),
  fc.constant(Symbol('odd')),
  fc.constant(() => 1),
  fc.array(fc.oneof(fc.integer(), fc.string(), fc.constant(null)), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string(), fc.constant(undefined)), { maxKeys: 4 }),
  fc.constant(Object.create(null) as unknown),
);

/** Strings that look like durations, half-durations and garbage. */
export const durationText: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc
    .tuple(fc.oneof(fc.nat(), fc.double({ min: 0, max: 1e6, noNaN: true })), fc.constantFrom('ms', 's', 'm', 'h', 'd', 'w', 'y', '', ' s', 'S', 'MS'))
    .map(([n, unit]) => `${n}${unit}`),
  fc.array(fc.tuple(fc.nat(1e9), fc.constantFrom('ms', 's', 'm', 'h', 'd', 'w')), { minLength: 1, maxLength: 4 }).map((parts) => parts.map(([n, u]) => `${n}${u}`).join(' ')),
);

/** Cron-like strings: fields of digits, ranges, steps, names and junk, 0 to 8 fields. */
export const cronText: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc
    .array(
      fc.oneof(
        fc.constantFrom('*', '?', 'L', 'W', '#', 'LW', '5L', '1#3', 'MON', 'JAN', 'mon-fri', '*/0', '*/-1', ',', '-', '/', '60', '99999999999999999999'),
        fc.nat(70).map(String),
        fc.tuple(fc.nat(70), fc.nat(70)).map(([a, b]) => `${a}-${b}`),
        fc.tuple(fc.nat(70), fc.integer({ min: -2, max: 70 })).map(([a, b]) => `${a}/${b}`),
        fc.array(fc.nat(70), { minLength: 1, maxLength: 3 }).map((xs) => xs.join(',')),
      ),
      { minLength: 0, maxLength: 8 },
    )
    .map((fields) => fields.join(' ')),
);

/** Time-zone names real and invented. */
export const zoneText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('UTC', 'Europe/Rome', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Etc/GMT+12', 'utc', 'Mars/Olympus', '+05:30', 'GMT-3', 'local', ''),
  fc.string(),
);

/**
 * Calls `fn`; the call must return (or resolve), or throw (or reject) an `EverTaskError` with a
 * code and a non-empty message. Returns whether it succeeded and what it threw.
 */
export async function ourErrorOrSuccess(fn: () => unknown): Promise<{ ok: boolean; error?: EverTaskError }> {
  try {
    await fn();
    return { ok: true };
  } catch (error) {
    expectOurError(error);
    return { ok: false, error: error as EverTaskError };
  }
}

/** The synchronous form of `ourErrorOrSuccess`. */
export function ourErrorOrSuccessSync(fn: () => unknown): { ok: boolean; result?: unknown; error?: EverTaskError } {
  try {
    return { ok: true, result: fn() };
  } catch (error) {
    expectOurError(error);
    return { ok: false, error: error as EverTaskError };
  }
}

export function expectOurError(error: unknown): void {
  if (!(error instanceof EverTaskError)) {
    throw new Error(`expected an EverTaskError, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, { cause: error });
  }
  expect(error.code).toMatch(/^ERR_[A-Z_]+$/);
  expect(error.message.length).toBeGreaterThan(10);
}
