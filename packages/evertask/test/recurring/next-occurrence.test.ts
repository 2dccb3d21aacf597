import { describe, expect, it } from 'vitest';
import { InvalidScheduleError } from '../../src/errors.js';
import {
  buildSchedule,
  firstOccurrence,
  MISSED_COUNT_LIMIT,
  nextOccurrence,
  resumeOccurrence,
} from '../../src/recurring/index.js';
import type { RecurringBuilder } from '../../src/recurring/index.js';
import { ms } from './helpers.js';

const build = (recurring: RecurringBuilder, now: string) => buildSchedule(recurring, ms(now));
const iso = (value: { at: number; missed: number } | undefined) =>
  value === undefined ? undefined : { at: new Date(value.at).toISOString(), missed: value.missed };

describe('firstOccurrence', () => {
  it('is the first slot strictly after now; a slot exactly at now does not fire', () => {
    const s = build((b) => b.everyDay().atTime('03:00'), '2026-01-01T03:00:00Z');
    expect(firstOccurrence(s, ms('2026-01-01T03:00:00Z'))).toBe(ms('2026-01-02T03:00:00Z'));
  });

  it('is the initial run when there is one, even a past runAt (run it now)', () => {
    expect(firstOccurrence(build((b) => b.runNow().then().everyDay(), '2026-01-01T10:00:00Z'), ms('2026-01-01T10:00:00Z'))).toBe(
      ms('2026-01-01T10:00:00Z'),
    );
    const past = build((b) => b.runAt('2025-12-31T00:00:00Z').then().everyDay(), '2026-01-01T10:00:00Z');
    expect(firstOccurrence(past, ms('2026-01-01T10:00:00Z'))).toBe(ms('2025-12-31T00:00:00Z'));
  });

  it('is undefined when the initial run is at or after runUntil (and such a schedule is rejected at build)', () => {
    expect(() =>
      build((b) => b.runAt('2026-01-05T00:00:00Z').then().everyDay().runUntil('2026-01-03T00:00:00Z'), '2026-01-01T10:00:00Z'),
    ).toThrow(/never fires before runUntil/);
    const s = build((b) => b.runAt('2026-01-02T00:00:00Z').then().everyDay().runUntil('2026-01-03T00:00:00Z'), '2026-01-01T10:00:00Z');
    expect(firstOccurrence(s, ms('2026-01-01T10:00:00Z'))).toBe(ms('2026-01-02T00:00:00Z'));
    expect(firstOccurrence({ ...s, initialRun: ms('2026-01-03T00:00:00Z') }, ms('2026-01-01T10:00:00Z'))).toBeUndefined();
  });
});

describe('nextOccurrence', () => {
  it('computes from the scheduled time, not the completion time (no drift)', () => {
    const s = build((b) => b.everyDay().atTime('03:00'), '2026-01-01T00:00:00Z');
    expect(iso(nextOccurrence(s, { scheduledAt: ms('2026-01-02T03:00:00Z'), now: ms('2026-01-02T03:00:42Z'), runCount: 1 }))).toEqual({
      at: '2026-01-03T03:00:00.000Z',
      missed: 0,
    });
    const m = build((b) => b.every(5).minutes(), '2026-01-01T10:00:00Z');
    expect(iso(nextOccurrence(m, { scheduledAt: ms('2026-01-01T10:05:00Z'), now: ms('2026-01-01T10:07:59Z'), runCount: 1 }))).toEqual({
      at: '2026-01-01T10:10:00.000Z',
      missed: 0,
    });
  });

  it('an occurrence at most 1 s late is on time; later than that it is missed', () => {
    const m = build((b) => b.every(5).minutes(), '2026-01-01T10:00:00Z');
    const at = ms('2026-01-01T10:05:00Z');
    expect(iso(nextOccurrence(m, { scheduledAt: at, now: ms('2026-01-01T10:10:00.800Z'), runCount: 1 }))).toEqual({
      at: '2026-01-01T10:10:00.000Z',
      missed: 0,
    });
    expect(iso(nextOccurrence(m, { scheduledAt: at, now: ms('2026-01-01T10:10:01.500Z'), runCount: 1 }))).toEqual({
      at: '2026-01-01T10:15:00.000Z',
      missed: 1,
    });
  });

  it('skips forward after downtime and counts the missed occurrences', () => {
    const m = build((b) => b.every(5).minutes(), '2026-01-01T10:00:00Z');
    // Missed 10:05, 10:10, 10:15, 10:20.
    expect(iso(nextOccurrence(m, { scheduledAt: ms('2026-01-01T10:00:00Z'), now: ms('2026-01-01T10:23:00Z'), runCount: 1 }))).toEqual({
      at: '2026-01-01T10:25:00.000Z',
      missed: 4,
    });
    const c = build((b) => b.cron('0 3 * * *'), '2026-01-01T00:00:00Z');
    // Missed Jan 2, 3, 4, 5 at 03:00.
    expect(iso(nextOccurrence(c, { scheduledAt: ms('2026-01-01T03:00:00Z'), now: ms('2026-01-05T12:00:00Z'), runCount: 1 }))).toEqual({
      at: '2026-01-06T03:00:00.000Z',
      missed: 4,
    });
  });

  it('skip-forward across a DST change stays on the wall clock (Rome)', () => {
    const s = build((b) => b.everyDay().atTime('03:00').timeZone('Europe/Rome'), '2026-03-26T12:00:00Z');
    // Missed: Mar 28 02:00Z, Mar 29 01:00Z, Mar 30 01:00Z, Mar 31 01:00Z.
    expect(iso(nextOccurrence(s, { scheduledAt: ms('2026-03-27T02:00:00Z'), now: ms('2026-03-31T12:00:00Z'), runCount: 1 }))).toEqual({
      at: '2026-04-01T01:00:00.000Z',
      missed: 4,
    });
  });

  it('every-second schedule after 30 days down: exact count, instant answer', () => {
    const s = build((b) => b.everySecond(), '2026-01-01T00:00:00Z');
    const started = performance.now();
    const result = nextOccurrence(s, { scheduledAt: ms('2026-01-01T00:00:00Z'), now: ms('2026-01-31T00:00:00.500Z'), runCount: 1 });
    expect(performance.now() - started).toBeLessThan(50);
    expect(iso(result)).toEqual({ at: '2026-01-31T00:00:01.000Z', missed: 30 * 86_400 });
  });

  it('every-second cron after 30 days down: skips at once, count saturates', () => {
    const s = build((b) => b.cron('* * * * * *').timeZone('Europe/Rome'), '2026-01-01T00:00:00Z');
    const result = nextOccurrence(s, { scheduledAt: ms('2026-01-01T00:00:00Z'), now: ms('2026-01-31T00:00:00.500Z'), runCount: 1 });
    expect(iso(result)).toEqual({ at: '2026-01-31T00:00:01.000Z', missed: MISSED_COUNT_LIMIT });
    const catchUp = build((b) => b.cron('* * * * * *').catchUp(), '2026-01-01T00:00:00Z');
    expect(iso(nextOccurrence(catchUp, { scheduledAt: ms('2026-01-01T00:00:00Z'), now: ms('2026-01-31T00:00:00.500Z'), runCount: 1 }))).toEqual({
      at: '2026-01-31T00:00:00.000Z',
      missed: MISSED_COUNT_LIMIT - 1,
    });
  });

  it('catchUp: returns the last missed occurrence (in the past) and counts the others', () => {
    const m = build((b) => b.every(5).minutes().catchUp(), '2026-01-01T10:00:00Z');
    expect(iso(nextOccurrence(m, { scheduledAt: ms('2026-01-01T10:00:00Z'), now: ms('2026-01-01T10:23:00Z'), runCount: 1 }))).toEqual({
      at: '2026-01-01T10:20:00.000Z',
      missed: 3,
    });
    // After the catch-up run the engine asks again from its scheduled time: back on the grid.
    expect(iso(nextOccurrence(m, { scheduledAt: ms('2026-01-01T10:20:00Z'), now: ms('2026-01-01T10:23:05Z'), runCount: 2 }))).toEqual({
      at: '2026-01-01T10:25:00.000Z',
      missed: 0,
    });
    const d = build((b) => b.everyDay().atTime('03:00').catchUp('last'), '2026-01-01T00:00:00Z');
    expect(iso(nextOccurrence(d, { scheduledAt: ms('2026-01-01T03:00:00Z'), now: ms('2026-01-05T12:00:00Z'), runCount: 1 }))).toEqual({
      at: '2026-01-05T03:00:00.000Z',
      missed: 3,
    });
  });

  it('catchUp never picks an occurrence at or after runUntil', () => {
    const d = build((b) => b.everyDay().atTime('03:00').catchUp().runUntil('2026-01-04T03:00:00Z'), '2026-01-01T00:00:00Z');
    expect(iso(nextOccurrence(d, { scheduledAt: ms('2026-01-01T03:00:00Z'), now: ms('2026-01-05T12:00:00Z'), runCount: 1 }))).toEqual({
      at: '2026-01-03T03:00:00.000Z',
      missed: 1,
    });
  });

  it('ends the series at maxRuns (runCount includes the run just finished)', () => {
    const s = build((b) => b.everyDay().maxRuns(3), '2026-01-01T00:00:00Z');
    const args = { scheduledAt: ms('2026-01-03T00:00:00Z'), now: ms('2026-01-03T00:00:01Z') };
    expect(nextOccurrence(s, { ...args, runCount: 2 })).toBeDefined();
    expect(nextOccurrence(s, { ...args, runCount: 3 })).toBeUndefined();
  });

  it('ends the series at runUntil (exclusive), also when skipping forward past it', () => {
    const s = build((b) => b.everyDay().runUntil('2026-01-04T00:00:00Z'), '2026-01-01T00:00:00Z');
    expect(iso(nextOccurrence(s, { scheduledAt: ms('2026-01-02T00:00:00Z'), now: ms('2026-01-02T00:00:01Z'), runCount: 1 }))).toEqual({
      at: '2026-01-03T00:00:00.000Z',
      missed: 0,
    });
    expect(nextOccurrence(s, { scheduledAt: ms('2026-01-03T00:00:00Z'), now: ms('2026-01-03T00:00:01Z'), runCount: 2 })).toBeUndefined();
    expect(nextOccurrence(s, { scheduledAt: ms('2026-01-02T00:00:00Z'), now: ms('2026-01-03T12:00:00Z'), runCount: 1 })).toBeUndefined();
  });

  it('after an initial run, continues with the recurrence', () => {
    const s = build((b) => b.runNow().then().everyDay().atTime('03:00'), '2026-01-01T10:00:00Z');
    expect(iso(nextOccurrence(s, { scheduledAt: ms('2026-01-01T10:00:00Z'), now: ms('2026-01-01T10:00:02Z'), runCount: 1 }))).toEqual({
      at: '2026-01-02T03:00:00.000Z',
      missed: 0,
    });
  });

  it('rejects bad arguments', () => {
    const s = build((b) => b.everyDay(), '2026-01-01T00:00:00Z');
    expect(() => nextOccurrence(s, { scheduledAt: Number.NaN, now: 0, runCount: 0 })).toThrow(InvalidScheduleError);
    expect(() => nextOccurrence(s, { scheduledAt: 0, now: 0, runCount: -1 })).toThrow(/runCount/);
  });
});

describe('resumeOccurrence (recovery)', () => {
  const s = build((b) => b.everyDay().atTime('03:00'), '2026-01-01T00:00:00Z');

  it('keeps a future planned run', () => {
    expect(iso(resumeOccurrence(s, { plannedAt: ms('2026-01-02T03:00:00Z'), now: ms('2026-01-01T12:00:00Z'), runCount: 0 }))).toEqual({
      at: '2026-01-02T03:00:00.000Z',
      missed: 0,
    });
  });

  it('runs a slipped occurrence once now while it is still the current slot', () => {
    expect(iso(resumeOccurrence(s, { plannedAt: ms('2026-01-02T03:00:00Z'), now: ms('2026-01-02T15:00:00Z'), runCount: 0 }))).toEqual({
      at: '2026-01-02T03:00:00.000Z',
      missed: 0,
    });
  });

  it('skips forward when later occurrences have passed too, counting the planned one', () => {
    expect(iso(resumeOccurrence(s, { plannedAt: ms('2026-01-02T03:00:00Z'), now: ms('2026-01-04T15:00:00Z'), runCount: 0 }))).toEqual({
      at: '2026-01-05T03:00:00.000Z',
      missed: 3,
    });
  });

  it('is undefined when the series is over', () => {
    const limited = build((b) => b.everyDay().maxRuns(2), '2026-01-01T00:00:00Z');
    expect(resumeOccurrence(limited, { plannedAt: ms('2026-01-03T00:00:00Z'), now: ms('2026-01-02T00:00:00Z'), runCount: 2 })).toBeUndefined();
  });
});
