import { describe, expect, it } from 'vitest';
import { buildSchedule, nextOccurrences } from '../../src/recurring/index.js';
import { list, ms } from './helpers.js';

// 2026-01-01 is a Thursday. Expected values are worked out by hand.
describe('elapsed-time intervals', () => {
  it('every(5).seconds() runs on a grid aligned to the minute', () => {
    expect(list((s) => s.every(5).seconds(), '2026-01-01T10:00:07.300Z', 3)).toEqual([
      '2026-01-01T10:00:10.000Z',
      '2026-01-01T10:00:15.000Z',
      '2026-01-01T10:00:20.000Z',
    ]);
  });

  it('everySecond()', () => {
    expect(list((s) => s.everySecond(), '2026-01-01T10:00:07.300Z', 2)).toEqual([
      '2026-01-01T10:00:08.000Z',
      '2026-01-01T10:00:09.000Z',
    ]);
  });

  it('every(5).minutes() and everyMinute().atSecond(30)', () => {
    expect(list((s) => s.every(5).minutes(), '2026-01-01T10:03:20Z', 3)).toEqual([
      '2026-01-01T10:05:00.000Z',
      '2026-01-01T10:10:00.000Z',
      '2026-01-01T10:15:00.000Z',
    ]);
    expect(list((s) => s.everyMinute().atSecond(30), '2026-01-01T10:03:20Z', 2)).toEqual([
      '2026-01-01T10:03:30.000Z',
      '2026-01-01T10:04:30.000Z',
    ]);
    expect(list((s) => s.every(7).minutes().atSecond(5), '2026-01-01T10:03:20Z', 2)).toEqual([
      '2026-01-01T10:07:05.000Z',
      '2026-01-01T10:14:05.000Z',
    ]);
  });

  it('every(90).minutes() counts 90 minutes from the start of the hour', () => {
    expect(list((s) => s.every(90).minutes(), '2026-01-01T10:20:00Z', 3)).toEqual([
      '2026-01-01T11:30:00.000Z',
      '2026-01-01T13:00:00.000Z',
      '2026-01-01T14:30:00.000Z',
    ]);
  });

  it('everyHour().atMinute(15), every(5).hours() from local midnight', () => {
    expect(list((s) => s.everyHour().atMinute(15), '2026-01-01T10:20:00Z', 2)).toEqual([
      '2026-01-01T11:15:00.000Z',
      '2026-01-01T12:15:00.000Z',
    ]);
    expect(list((s) => s.everyHour(), '2026-01-01T10:20:00Z', 1)).toEqual(['2026-01-01T11:00:00.000Z']);
    expect(list((s) => s.every(5).hours(), '2026-01-01T10:20:00Z', 3)).toEqual([
      '2026-01-01T15:00:00.000Z',
      '2026-01-01T20:00:00.000Z',
      '2026-01-02T01:00:00.000Z',
    ]);
  });

  it('hour grids align to the local clock of the zone (Asia/Kolkata is UTC+05:30)', () => {
    expect(list((s) => s.everyHour().timeZone('Asia/Kolkata'), '2026-01-01T10:20:00Z', 2)).toEqual([
      '2026-01-01T10:30:00.000Z', // 16:00 IST
      '2026-01-01T11:30:00.000Z',
    ]);
  });

  it('the grid is stored as an anchor, stable whatever the later build time', () => {
    const a = buildSchedule((s) => s.every(7).minutes(), ms('2026-01-01T10:03:00Z'));
    expect(a.rule).toEqual({ kind: 'interval', unit: 'minute', every: 7, anchor: ms('2026-01-01T10:00:00Z') });
  });
});

describe('wall-clock calendars (UTC unless a zone is given)', () => {
  it('everyDay() defaults to 00:00; every(3).days() counts from the build day', () => {
    expect(list((s) => s.everyDay(), '2026-01-01T10:00:00Z', 2)).toEqual([
      '2026-01-02T00:00:00.000Z',
      '2026-01-03T00:00:00.000Z',
    ]);
    expect(list((s) => s.every(3).days().atTime('08:00'), '2026-01-01T10:00:00Z', 2)).toEqual([
      '2026-01-04T08:00:00.000Z',
      '2026-01-07T08:00:00.000Z',
    ]);
  });

  it('atTime with seconds, atTimes in any order', () => {
    expect(list((s) => s.everyDay().atTime('03:00:15'), '2026-01-01T10:00:00Z', 1)).toEqual(['2026-01-02T03:00:15.000Z']);
    expect(list((s) => s.everyDay().atTime('7:05'), '2026-01-01T10:00:00Z', 1)).toEqual(['2026-01-02T07:05:00.000Z']);
    expect(list((s) => s.everyDay().atTimes('17:30', '09:00'), '2026-01-01T10:00:00Z', 3)).toEqual([
      '2026-01-01T17:30:00.000Z',
      '2026-01-02T09:00:00.000Z',
      '2026-01-02T17:30:00.000Z',
    ]);
  });

  it('everyDay().onDays(...) filters weekdays given by name or number', () => {
    const expected = ['2026-01-02T09:00:00.000Z', '2026-01-05T09:00:00.000Z', '2026-01-09T09:00:00.000Z'];
    expect(list((s) => s.everyDay().onDays('mon', 'FRIDAY').atTime('09:00'), '2026-01-01T10:00:00Z', 3)).toEqual(expected);
    expect(list((s) => s.everyDay().onDays(5, 1).atTime('09:00'), '2026-01-01T10:00:00Z', 3)).toEqual(expected);
    expect(list((s) => s.everyDay().onDay('Sat'), '2026-01-01T10:00:00Z', 1)).toEqual(['2026-01-03T00:00:00.000Z']);
  });

  it('weekly: Monday 00:00 by default, onDay(0) is Sunday, every(2).weeks() counts weeks from the build week', () => {
    expect(list((s) => s.everyWeek(), '2026-01-01T10:00:00Z', 2)).toEqual([
      '2026-01-05T00:00:00.000Z',
      '2026-01-12T00:00:00.000Z',
    ]);
    expect(list((s) => s.everyWeek().onDay(0).atTime('10:00'), '2026-01-01T10:00:00Z', 2)).toEqual([
      '2026-01-04T10:00:00.000Z',
      '2026-01-11T10:00:00.000Z',
    ]);
    // Build week starts Monday 2025-12-29; counted weeks: Dec 29, Jan 12, Jan 26.
    expect(list((s) => s.every(2).weeks().onDays('monday', 'friday').atTime('09:00'), '2026-01-01T10:00:00Z', 4)).toEqual([
      '2026-01-02T09:00:00.000Z',
      '2026-01-12T09:00:00.000Z',
      '2026-01-16T09:00:00.000Z',
      '2026-01-26T09:00:00.000Z',
    ]);
  });

  it('monthly: day 1 by default; every(2).months() with several days', () => {
    expect(list((s) => s.everyMonth(), '2026-01-15T00:00:00Z', 2)).toEqual([
      '2026-02-01T00:00:00.000Z',
      '2026-03-01T00:00:00.000Z',
    ]);
    expect(list((s) => s.every(2).months().onDays(15, 1).atTime('06:00'), '2026-01-10T00:00:00Z', 4)).toEqual([
      '2026-01-15T06:00:00.000Z',
      '2026-03-01T06:00:00.000Z',
      '2026-03-15T06:00:00.000Z',
      '2026-05-01T06:00:00.000Z',
    ]);
  });

  it('onDay(31) clamps to the last day of shorter months', () => {
    expect(list((s) => s.everyMonth().onDay(31).atTime('12:00'), '2026-01-15T00:00:00Z', 4)).toEqual([
      '2026-01-31T12:00:00.000Z',
      '2026-02-28T12:00:00.000Z',
      '2026-03-31T12:00:00.000Z',
      '2026-04-30T12:00:00.000Z',
    ]);
  });

  it('leap years: February ends on the 28th in 2027 and on the 29th in 2028', () => {
    expect(list((s) => s.everyMonth().onDay(31).onMonths(2, 4), '2027-01-01T00:00:00Z', 3)).toEqual([
      '2027-02-28T00:00:00.000Z',
      '2027-04-30T00:00:00.000Z',
      '2028-02-29T00:00:00.000Z',
    ]);
    expect(list((s) => s.everyMonth().onDay(29).onMonths(2), '2027-01-01T00:00:00Z', 2)).toEqual([
      '2027-02-28T00:00:00.000Z',
      '2028-02-29T00:00:00.000Z',
    ]);
  });

  it('two days that clamp to the same date run once', () => {
    expect(list((s) => s.everyMonth().onDays(30, 31), '2026-02-01T00:00:00Z', 3)).toEqual([
      '2026-02-28T00:00:00.000Z',
      '2026-03-30T00:00:00.000Z',
      '2026-03-31T00:00:00.000Z',
    ]);
  });

  it('onMonths filters days and weeks too', () => {
    expect(list((s) => s.everyDay().atTime('12:00').onMonths(2), '2026-01-30T00:00:00Z', 2)).toEqual([
      '2026-02-01T12:00:00.000Z',
      '2026-02-02T12:00:00.000Z',
    ]);
    expect(list((s) => s.everyWeek().onDay('wed').onMonths(3), '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-03-04T00:00:00.000Z',
      '2026-03-11T00:00:00.000Z',
    ]);
  });

  it('onFirst(weekday)', () => {
    // Jan 1 2026 Thu → Mon Jan 5; Feb 1 Sun → Feb 2; Mar 1 Sun → Mar 2.
    expect(list((s) => s.everyMonth().onFirst('monday').atTime('08:00'), '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-05T08:00:00.000Z',
      '2026-02-02T08:00:00.000Z',
      '2026-03-02T08:00:00.000Z',
    ]);
    // onFirst(4): Thursday Jan 1 itself.
    expect(list((s) => s.everyMonth().onFirst(4), '2025-12-31T00:00:00Z', 1)).toEqual(['2026-01-01T00:00:00.000Z']);
  });

  it('onLast(weekday) in America/New_York (EST −5 until 2026-03-08, then EDT −4)', () => {
    // Jan 31 2026 Sat → Fri Jan 30; Feb 28 Sat → Fri Feb 27; Mar 31 Tue → Fri Mar 27.
    expect(
      list((s) => s.everyMonth().onLast('Fri').atTime('18:00').timeZone('America/New_York'), '2026-01-01T00:00:00Z', 3),
    ).toEqual(['2026-01-30T23:00:00.000Z', '2026-02-27T23:00:00.000Z', '2026-03-27T22:00:00.000Z']);
    // Last Saturday when the month ends on one: Jan 31 2026.
    expect(list((s) => s.everyMonth().onLast(6), '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-31T00:00:00.000Z']);
  });

  it('timeZone applies to wall-clock schedules (Rome: +1 in winter, +2 in summer)', () => {
    expect(list((s) => s.everyDay().atTime('03:00').timeZone('Europe/Rome'), '2026-01-01T10:00:00Z', 1)).toEqual([
      '2026-01-02T02:00:00.000Z',
    ]);
    expect(list((s) => s.everyDay().atTime('03:00').timeZone('Europe/Rome'), '2026-07-01T10:00:00Z', 1)).toEqual([
      '2026-07-02T01:00:00.000Z',
    ]);
    expect(buildSchedule((s) => s.everyDay().timeZone('utc'), 0).timeZone).toBe('UTC');
  });
});

describe('initial run, maxRuns, runUntil', () => {
  it('runNow().then() runs at the build time, then recurs', () => {
    expect(list((s) => s.runNow().then().everyHour(), '2026-01-01T10:20:00Z', 3)).toEqual([
      '2026-01-01T10:20:00.000Z',
      '2026-01-01T11:00:00.000Z',
      '2026-01-01T12:00:00.000Z',
    ]);
  });

  it('runAt(date).then() and runDelayed(duration).then()', () => {
    expect(list((s) => s.runAt('2026-01-01T10:30:00Z').then().everyDay().atTime('03:00'), '2026-01-01T10:20:00Z', 2)).toEqual([
      '2026-01-01T10:30:00.000Z',
      '2026-01-02T03:00:00.000Z',
    ]);
    expect(list((s) => s.runAt(new Date('2026-01-03T00:00:00Z')).then().everyDay(), '2026-01-01T10:20:00Z', 2)).toEqual([
      '2026-01-03T00:00:00.000Z',
      '2026-01-04T00:00:00.000Z',
    ]);
    expect(list((s) => s.runDelayed('10m').then().every(5).minutes(), '2026-01-01T10:20:00Z', 2)).toEqual([
      '2026-01-01T10:30:00.000Z',
      '2026-01-01T10:35:00.000Z',
    ]);
    expect(list((s) => s.runDelayed(90_000).then().everyHour(), '2026-01-01T10:20:00Z', 2)).toEqual([
      '2026-01-01T10:21:30.000Z',
      '2026-01-01T11:00:00.000Z',
    ]);
  });

  it('maxRuns counts the initial run', () => {
    expect(list((s) => s.everyDay().maxRuns(3), '2026-01-01T10:00:00Z', 10)).toHaveLength(3);
    expect(list((s) => s.runNow().then().everyDay().maxRuns(2), '2026-01-01T10:00:00Z', 10)).toEqual([
      '2026-01-01T10:00:00.000Z',
      '2026-01-02T00:00:00.000Z',
    ]);
    expect(list((s) => s.runNow().then().everyDay().maxRuns(1), '2026-01-01T10:00:00Z', 10)).toEqual([
      '2026-01-01T10:00:00.000Z',
    ]);
  });

  it('runUntil is exclusive', () => {
    expect(
      list((s) => s.everyDay().atTime('03:00').runUntil('2026-01-04T03:00:00Z'), '2026-01-01T10:00:00Z', 10),
    ).toEqual(['2026-01-02T03:00:00.000Z', '2026-01-03T03:00:00.000Z']);
    expect(list((s) => s.everyDay().atTime('03:00').runUntil(ms('2026-01-04T03:00:00.001Z')), '2026-01-01T10:00:00Z', 10)).toHaveLength(3);
  });

  it('whichever limit comes first ends the series', () => {
    expect(list((s) => s.everyDay().maxRuns(10).runUntil(new Date('2026-01-03T12:00:00Z')), '2026-01-01T10:00:00Z', 10)).toEqual([
      '2026-01-02T00:00:00.000Z',
      '2026-01-03T00:00:00.000Z',
    ]);
  });

  it('the callback may return the builder or nothing', () => {
    const a = nextOccurrences((s) => s.everyDay(), { from: new Date('2026-01-01T00:00:00Z'), count: 1 });
    const b = nextOccurrences(
      (s) => {
        s.everyDay();
      },
      { from: new Date('2026-01-01T00:00:00Z'), count: 1 },
    );
    expect(a).toEqual(b);
  });

  it('catchUp() is stored', () => {
    expect(buildSchedule((s) => s.everyDay().catchUp(), 0).catchUp).toBe('last');
    expect(buildSchedule((s) => s.everyDay().catchUp('last'), 0).catchUp).toBe('last');
    expect(buildSchedule((s) => s.everyDay(), 0).catchUp).toBeUndefined();
  });
});
