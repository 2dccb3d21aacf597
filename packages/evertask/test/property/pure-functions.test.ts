import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineTask, describeSchedule, InvalidArgumentError, MAX_DURATION_MS, nextOccurrences, toMilliseconds, type RecurringBuilder } from '../../src/index.js';
import { anything, cronText, durationText, ourErrorOrSuccessSync, RUNS, zoneText } from './arbitraries.js';

const FROM = Date.UTC(2026, 0, 15, 12, 0, 0);

describe('toMilliseconds, any input', () => {
  it('returns a finite non-negative integer within the limit, or throws InvalidArgumentError', () => {
    fc.assert(
      fc.property(fc.oneof(anything, durationText), (value) => {
        const outcome = ourErrorOrSuccessSync(() => toMilliseconds(value as never, 'delay'));
        if (outcome.ok) {
          const ms = outcome.result as number;
          expect(Number.isFinite(ms) && ms >= 0 && ms <= MAX_DURATION_MS).toBe(true);
        } else {
          expect(outcome.error).toBeInstanceOf(InvalidArgumentError);
          expect(outcome.error?.message).toContain('delay');
        }
      }),
      RUNS,
    );
  });

  it('a sum of unit parts equals the sum of its parts', () => {
    const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(1000), fc.constantFrom(...(Object.keys(units) as (keyof typeof units)[]))), { minLength: 1, maxLength: 5 }), (parts) => {
        const text = parts.map(([n, u]) => `${n}${u}`).join('');
        expect(toMilliseconds(text, 'x')).toBe(parts.reduce((sum, [n, u]) => sum + n * units[u], 0));
      }),
      RUNS,
    );
  });
});

describe('defineTask, any options', () => {
  it('returns a definition or throws an EverTaskError', () => {
    const options = fc.record(
      {
        name: fc.oneof(fc.string(), anything),
        handler: fc.oneof(fc.constant(() => {}), anything),
        queue: fc.oneof(fc.string(), anything),
        timeout: fc.oneof(durationText, anything),
        retry: anything,
        rateLimit: anything,
        onError: anything,
        extra: anything,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(options, (opts) => {
        ourErrorOrSuccessSync(() => defineTask(opts as never));
      }),
      RUNS,
    );
  });
});

/** One builder call: a method name and arguments of every kind (right-shaped values are frequent). */
const builderCall = fc.tuple(
  fc.constantFrom(
    'every', 'seconds', 'minutes', 'hours', 'days', 'weeks', 'months', 'then', 'everySecond', 'everyMinute', 'everyHour',
    'everyDay', 'everyWeek', 'everyMonth', 'atSecond', 'atMinute', 'atTime', 'atTimes', 'onDay', 'onDays', 'onMonths',
    'onFirst', 'onLast', 'cron', 'timeZone', 'runNow', 'runAt', 'runDelayed', 'maxRuns', 'runUntil', 'catchUp',
  ),
  fc.array(
    fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: -2, max: 70 }) },
      { weight: 2, arbitrary: fc.tuple(fc.nat(30), fc.nat(70)).map(([h, m]) => `${h}:${String(m).padStart(2, '0')}`) },
      { weight: 2, arbitrary: fc.constantFrom('monday', 'sunday', 'Friday', 'mon', 'funday') },
      { weight: 2, arbitrary: cronText },
      { weight: 2, arbitrary: zoneText },
      { weight: 1, arbitrary: durationText },
      { weight: 1, arbitrary: fc.date({ noInvalidDate: false }) },
      { weight: 2, arbitrary: anything },
    ),
    { maxLength: 3 },
  ),
);

/** A builder callback making the calls in order (a call the current step does not offer is skipped). */
function builderOf(calls: readonly (readonly [string, unknown[]])[]): RecurringBuilder {
  return ((s: Record<string, unknown>) => {
    let current = s;
    for (const [method, args] of calls) {
      const fn = current[method];
      if (typeof fn === 'function') current = (fn as (...a: unknown[]) => Record<string, unknown>).apply(current, args);
    }
    return current;
  }) as unknown as RecurringBuilder;
}

describe('schedules, any builder calls and cron strings', () => {
  it('nextOccurrences lists increasing instants after `from`, or throws an EverTaskError', () => {
    fc.assert(
      fc.property(fc.array(builderCall, { maxLength: 6 }), fc.integer({ min: -1, max: 12 }), (calls, count) => {
        const outcome = ourErrorOrSuccessSync(() => nextOccurrences(builderOf(calls), { from: FROM, count }));
        if (!outcome.ok) return;
        const list = outcome.result as Date[];
        expect(list.length).toBeLessThanOrEqual(count);
        for (let i = 1; i < list.length; i++) expect(list[i]!.getTime()).toBeGreaterThan(list[i - 1]!.getTime());
        for (const at of list) expect(at.getTime()).toBeGreaterThanOrEqual(FROM);
      }),
      RUNS,
    );
  });

  it('describeSchedule returns a non-empty text or throws an EverTaskError', () => {
    fc.assert(
      fc.property(fc.array(builderCall, { maxLength: 6 }), (calls) => {
        const outcome = ourErrorOrSuccessSync(() => describeSchedule(builderOf(calls), FROM));
        if (outcome.ok) expect((outcome.result as string).length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });

  it('a cron string with a time zone either schedules increasing instants or is refused as a schedule', () => {
    fc.assert(
      fc.property(cronText, fc.option(zoneText, { nil: undefined }), (expression, zone) => {
        const outcome = ourErrorOrSuccessSync(() =>
          nextOccurrences((s) => (zone === undefined ? s.cron(expression) : s.cron(expression).timeZone(zone)), { from: FROM, count: 3 }),
        );
        if (!outcome.ok) expect(outcome.error?.code).toBe('ERR_INVALID_SCHEDULE');
      }),
      RUNS,
    );
  });

  it('nextOccurrences and describeSchedule refuse any odd `from`/`now` with an EverTaskError', () => {
    fc.assert(
      fc.property(anything, anything, (from, count) => {
        ourErrorOrSuccessSync(() => nextOccurrences((s) => s.everyHour(), { from: from as never, count: count as never }));
        ourErrorOrSuccessSync(() => describeSchedule((s) => s.everyDay(), from as never));
        ourErrorOrSuccessSync(() => nextOccurrences(from as never));
      }),
      RUNS,
    );
  });
});
