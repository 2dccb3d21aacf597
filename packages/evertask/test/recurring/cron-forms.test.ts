import { describe, expect, it } from 'vitest';
import { InvalidScheduleError } from '../../src/errors.js';
import { buildSchedule, parseSchedule, serializeSchedule } from '../../src/recurring/index.js';
import { list } from './helpers.js';

// Expected instants are worked out by hand from the calendar (2026-01-01 is a Thursday) and the zone
// rules named in each test; none is printed by the code under test.

describe('cron forms brought from Cronos', () => {
  it('steps from a value: 0/30 is */30, 10/5 runs from minute 10 to 55', () => {
    expect(list((s) => s.cron('0/30 * * * *'), '2026-01-01T10:05:00Z', 2)).toEqual(['2026-01-01T10:30:00.000Z', '2026-01-01T11:00:00.000Z']);
    expect(list((s) => s.cron('10/5 * * * *'), '2026-01-01T10:56:00Z', 2)).toEqual(['2026-01-01T11:10:00.000Z', '2026-01-01T11:15:00.000Z']);
  });

  it('ranges that wrap around: hours 22-2, FRI-MON, minutes 55-5', () => {
    expect(list((s) => s.cron('0 22-2 * * *'), '2026-01-01T12:00:00Z', 6)).toEqual([
      '2026-01-01T22:00:00.000Z',
      '2026-01-01T23:00:00.000Z',
      '2026-01-02T00:00:00.000Z',
      '2026-01-02T01:00:00.000Z',
      '2026-01-02T02:00:00.000Z',
      '2026-01-02T22:00:00.000Z',
    ]);
    expect(list((s) => s.cron('0 12 * * FRI-MON'), '2026-01-01T13:00:00Z', 5)).toEqual([
      '2026-01-02T12:00:00.000Z', // Friday
      '2026-01-03T12:00:00.000Z',
      '2026-01-04T12:00:00.000Z',
      '2026-01-05T12:00:00.000Z', // Monday
      '2026-01-09T12:00:00.000Z', // next Friday
    ]);
    const minutes = list((s) => s.cron('55-5 * * * *'), '2026-01-01T10:50:00Z', 12).map((t) => t.slice(11, 16));
    expect(minutes).toEqual(['10:55', '10:56', '10:57', '10:58', '10:59', '11:00', '11:01', '11:02', '11:03', '11:04', '11:05', '11:55']);
  });

  it('L-n: n days before the last day of the month', () => {
    expect(list((s) => s.cron('0 12 L-3 * *'), '2026-01-01T00:00:00Z', 4)).toEqual([
      '2026-01-28T12:00:00.000Z',
      '2026-02-25T12:00:00.000Z',
      '2026-03-28T12:00:00.000Z',
      '2026-04-27T12:00:00.000Z',
    ]);
  });

  it('L-nW: the weekday nearest n days before the last day (Sunday 29 March → Monday 30)', () => {
    expect(list((s) => s.cron('0 12 L-2W * *'), '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-29T12:00:00.000Z',
      '2026-02-26T12:00:00.000Z',
      '2026-03-30T12:00:00.000Z',
    ]);
  });

  it("day-of-month with day-of-week: OR by default, AND with { dayMatch: 'and' } (Friday the 13th)", () => {
    expect(list((s) => s.cron('0 0 13 * FRI'), '2026-02-01T00:00:00Z', 4)).toEqual([
      '2026-02-06T00:00:00.000Z',
      '2026-02-13T00:00:00.000Z',
      '2026-02-20T00:00:00.000Z',
      '2026-02-27T00:00:00.000Z',
    ]);
    expect(list((s) => s.cron('0 0 13 * FRI', { dayMatch: 'and' }), '2026-02-01T00:00:00Z', 3)).toEqual([
      '2026-02-13T00:00:00.000Z',
      '2026-03-13T00:00:00.000Z',
      '2026-11-13T00:00:00.000Z',
    ]);
    expect(list((s) => s.cron('0 0 13 * FRI', { dayMatch: 'or' }), '2026-02-01T00:00:00Z', 1)).toEqual(['2026-02-06T00:00:00.000Z']);
  });

  it('a day field starting with * is unrestricted (Vixie cron): */10 with MON means both', () => {
    // Days 1, 11, 21, 31 that are Mondays.
    expect(list((s) => s.cron('0 0 */10 * MON'), '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-05-11T00:00:00.000Z',
      '2026-06-01T00:00:00.000Z',
      '2026-08-31T00:00:00.000Z',
    ]);
  });

  it('dayMatch is stored with the schedule and read back', () => {
    const schedule = buildSchedule((s) => s.cron('0 0 13 * FRI', { dayMatch: 'and' }), Date.UTC(2026, 0, 1));
    expect(schedule.rule).toEqual({ kind: 'cron', expression: '0 0 13 * FRI', dayMatch: 'and' });
    expect(parseSchedule(serializeSchedule(schedule))).toEqual(schedule);
    const plain = buildSchedule((s) => s.cron('0 0 13 * FRI', { dayMatch: 'or' }), Date.UTC(2026, 0, 1));
    expect(plain.rule).toEqual({ kind: 'cron', expression: '0 0 13 * FRI' });
    const stored = JSON.stringify({ ...schedule, rule: { ...schedule.rule, dayMatch: 'or' } });
    expect(() => parseSchedule(stored)).toThrow(/schedule\.rule\.dayMatch is "or"; expected 'and' or absent/);
  });

  it.each([
    [{ dayMatch: 'both' }, /dayMatch is "both"; use 'or' \(the default\) or 'and'/],
    [{ days: 'and' }, /cron\(\) has no option "days"/],
    ['and', /cron\(\) options must be an object/],
  ])('refuses the options %j', (options, message) => {
    const run = (): unknown => buildSchedule((s) => s.cron('0 0 13 * FRI', options as never), Date.UTC(2026, 0, 1));
    expect(run).toThrow(InvalidScheduleError);
    expect(run).toThrow(message);
  });
});

describe('cron over the whole range of Date', () => {
  it('runs past the year 3000', () => {
    expect(list((s) => s.cron('0 0 1 1 *'), '2999-06-01T00:00:00Z', 2)).toEqual(['3000-01-01T00:00:00.000Z', '3001-01-01T00:00:00.000Z']);
    expect(list((s) => s.cron('0 0 * * *'), '9999-12-31T12:00:00Z', 1)).toEqual(['+010000-01-01T00:00:00.000Z']);
  });

  it('years before 100 stay themselves (no two-digit-year jump to the 1900s), and before year 1', () => {
    expect(list((s) => s.cron('30 12 * * *'), '0050-03-01T00:00:00Z', 2)).toEqual(['0050-03-01T12:30:00.000Z', '0050-03-02T12:30:00.000Z']);
    expect(list((s) => s.cron('* * * * *'), '0000-12-31T23:59:59.999Z', 1)).toEqual(['0001-01-01T00:00:00.000Z']);
    // Proleptic Gregorian: years -4 and 0 are leap years.
    expect(list((s) => s.cron('0 0 29 2 *'), '-000005-01-01T00:00:00Z', 2)).toEqual(['-000004-02-29T00:00:00.000Z', '0000-02-29T00:00:00.000Z']);
  });

  it('finds rare dates: 29 February on a Monday', () => {
    expect(list((s) => s.cron('0 0 29 2 MON', { dayMatch: 'and' }), '2016-03-01T00:00:00Z', 2)).toEqual([
      '2044-02-29T00:00:00.000Z',
      '2072-02-29T00:00:00.000Z',
    ]);
  });

  it('says so when the next run would be past the last date Date can hold, and when it never matches', () => {
    const late = Date.parse('+275760-01-01T00:00:00Z');
    expect(() => buildSchedule((s) => s.cron('0 0 1 1 *'), late)).toThrow(
      /has no occurrence after \+275760-01-01T00:00:00\.000Z within the range of dates JavaScript can hold \(up to \+275760-09-13T00:00:00\.000Z\)/,
    );
    expect(list((s) => s.cron('0 0 1 * *'), '+275760-08-01T00:00:00Z', 5)).toEqual(['+275760-09-01T00:00:00.000Z']);
    expect(() => buildSchedule((s) => s.cron('0 0 30 2 *'), Date.UTC(2026, 0, 1))).toThrow(/never fires: its day, month and weekday selections exclude each other/);
  });
});

describe('cron and DST: equivalent hour fields behave the same', () => {
  // America/New_York, 2026-11-01: 01:00-01:59 happens twice, EDT (05:00Z-05:59Z) then EST (06:00Z-06:59Z).
  it.each(['*/30 * * * *', '*/30 */1 * * *', '*/30 0-23 * * *', '0,30 0-11,12-23 * * *', '0/30 ? * * *', '*/30 23-22 * * *'])(
    '%j runs in both passes of the repeated hour',
    (expression) => {
      expect(list((s) => s.cron(expression).timeZone('America/New_York'), '2026-11-01T04:50:00Z', 5)).toEqual([
        '2026-11-01T05:00:00.000Z', // 01:00 EDT
        '2026-11-01T05:30:00.000Z',
        '2026-11-01T06:00:00.000Z', // 01:00 EST
        '2026-11-01T06:30:00.000Z',
        '2026-11-01T07:00:00.000Z', // 02:00 EST
      ]);
    },
  );

  it('an hour range through the repeated hour runs hourly there, both passes', () => {
    expect(list((s) => s.cron('30 1-9 * * *').timeZone('America/New_York'), '2026-11-01T04:50:00Z', 3)).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T06:30:00.000Z', // 01:30 EST
      '2026-11-01T07:30:00.000Z', // 02:30 EST
    ]);
  });

  it.each(['0,30 1 * * *', '*/30 1 * * *', '0-59/30 1 * * *'])('%j (times within the repeated hour only) runs once each', (expression) => {
    expect(list((s) => s.cron(expression).timeZone('America/New_York'), '2026-11-01T04:50:00Z', 3)).toEqual([
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      '2026-11-02T06:00:00.000Z', // next day 01:00 EST
    ]);
  });
});

describe('a calendar date the zone skips has no occurrences', () => {
  // Pacific/Apia went from 2011-12-29 23:59:59 (−10) straight to 2011-12-31 00:00 (+14): 30 December never happened there.
  it.each([
    ['cron', (s: Parameters<Parameters<typeof list>[0]>[0]) => s.cron('0 12 * * *').timeZone('Pacific/Apia')],
    ['calendar', (s: Parameters<Parameters<typeof list>[0]>[0]) => s.everyDay().atTime('12:00').timeZone('Pacific/Apia')],
  ])('%s: a daily 12:00 runs on the 29th and the 31st, not at midnight in between', (_kind, recurring) => {
    expect(list(recurring, '2011-12-29T00:00:00Z', 3)).toEqual([
      '2011-12-29T22:00:00.000Z', // 29 Dec 12:00 −10
      '2011-12-30T22:00:00.000Z', // 31 Dec 12:00 +14
      '2011-12-31T22:00:00.000Z', // 1 Jan 12:00 +14
    ]);
  });

  it('an hourly cron runs on through the jump', () => {
    expect(list((s) => s.cron('0 * * * *').timeZone('Pacific/Apia'), '2011-12-30T08:30:00Z', 3)).toEqual([
      '2011-12-30T09:00:00.000Z', // 29 Dec 23:00 −10
      '2011-12-30T10:00:00.000Z', // 31 Dec 00:00 +14
      '2011-12-30T11:00:00.000Z',
    ]);
  });
});
