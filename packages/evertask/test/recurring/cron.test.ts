import { describe, expect, it } from 'vitest';
import { InvalidScheduleError } from '../../src/errors.js';
import { buildSchedule } from '../../src/recurring/index.js';
import { list } from './helpers.js';

// 2026-01-01 is a Thursday; January 2026 Mondays: 5, 12, 19, 26; February 2026 starts on a Sunday.
describe('cron', () => {
  it('5 fields (minute first) and 6 fields (seconds first)', () => {
    expect(list((s) => s.cron('0 3 * * *'), '2026-01-01T10:00:00Z', 2)).toEqual([
      '2026-01-02T03:00:00.000Z',
      '2026-01-03T03:00:00.000Z',
    ]);
    expect(list((s) => s.cron('15 0 3 * * *'), '2026-01-01T10:00:00Z', 1)).toEqual(['2026-01-02T03:00:15.000Z']);
    expect(list((s) => s.cron('*/20 * * * * *'), '2026-01-01T10:00:05Z', 3)).toEqual([
      '2026-01-01T10:00:20.000Z',
      '2026-01-01T10:00:40.000Z',
      '2026-01-01T10:01:00.000Z',
    ]);
  });

  it('ranges, steps and lists', () => {
    // Friday Jan 2: 09, 13, 17; then Monday Jan 5 09:00.
    expect(list((s) => s.cron('0 9-17/4 * * 1-5'), '2026-01-02T00:00:00Z', 4)).toEqual([
      '2026-01-02T09:00:00.000Z',
      '2026-01-02T13:00:00.000Z',
      '2026-01-02T17:00:00.000Z',
      '2026-01-05T09:00:00.000Z',
    ]);
    expect(list((s) => s.cron('15,45 8 * * *'), '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-01T08:15:00.000Z',
      '2026-01-01T08:45:00.000Z',
      '2026-01-02T08:15:00.000Z',
    ]);
    expect(list((s) => s.cron('0 12 1,15 jan,mar *'), '2026-01-10T00:00:00Z', 3)).toEqual([
      '2026-01-15T12:00:00.000Z',
      '2026-03-01T12:00:00.000Z',
      '2026-03-15T12:00:00.000Z',
    ]);
  });

  it('L: last day of the month', () => {
    expect(list((s) => s.cron('0 12 L * *'), '2026-01-15T00:00:00Z', 3)).toEqual([
      '2026-01-31T12:00:00.000Z',
      '2026-02-28T12:00:00.000Z',
      '2026-03-31T12:00:00.000Z',
    ]);
  });

  it('5L: last Friday of the month', () => {
    expect(list((s) => s.cron('0 12 * * 5L'), '2026-01-15T00:00:00Z', 2)).toEqual([
      '2026-01-30T12:00:00.000Z',
      '2026-02-27T12:00:00.000Z',
    ]);
  });

  it('#: second Monday of the month', () => {
    expect(list((s) => s.cron('0 12 * * MON#2'), '2026-01-15T00:00:00Z', 2)).toEqual([
      '2026-02-09T12:00:00.000Z',
      '2026-03-09T12:00:00.000Z',
    ]);
  });

  it('W: nearest weekday to the 15th (Sunday Feb 15 → Monday Feb 16)', () => {
    expect(list((s) => s.cron('0 12 15W * *'), '2026-02-01T00:00:00Z', 2)).toEqual([
      '2026-02-16T12:00:00.000Z',
      '2026-03-16T12:00:00.000Z', // Sunday Mar 15 → Monday
    ]);
  });

  it('? means any, in every field (as in Cronos)', () => {
    expect(list((s) => s.cron('? ? * * *'), '2026-01-01T10:00:30Z', 2)).toEqual(['2026-01-01T10:01:00.000Z', '2026-01-01T10:02:00.000Z']);
    expect(list((s) => s.cron('0 ?/20 * * * ?'), '2026-01-01T10:05:00Z', 2)).toEqual(['2026-01-01T10:20:00.000Z', '2026-01-01T10:40:00.000Z']);
  });

  it('? means any in the day fields; day-of-month and day-of-week combine with OR', () => {
    expect(list((s) => s.cron('0 0 12 ? * MON'), '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-05T12:00:00.000Z',
      '2026-01-12T12:00:00.000Z',
    ]);
    expect(list((s) => s.cron('0 12 10 * MON'), '2026-01-06T00:00:00Z', 3)).toEqual([
      '2026-01-10T12:00:00.000Z',
      '2026-01-12T12:00:00.000Z',
      '2026-01-19T12:00:00.000Z',
    ]);
  });

  it('nicknames', () => {
    expect(list((s) => s.cron('@daily'), '2026-01-01T10:00:00Z', 1)).toEqual(['2026-01-02T00:00:00.000Z']);
    expect(list((s) => s.cron('@hourly'), '2026-01-01T10:00:00Z', 1)).toEqual(['2026-01-01T11:00:00.000Z']);
  });

  it('cron with a time zone, and with runNow/maxRuns/runUntil', () => {
    expect(list((s) => s.cron('0 3 * * *').timeZone('Europe/Rome'), '2026-01-01T10:00:00Z', 1)).toEqual([
      '2026-01-02T02:00:00.000Z',
    ]);
    expect(list((s) => s.runNow().then().cron('0 3 * * *').maxRuns(2), '2026-01-01T10:00:00Z', 5)).toEqual([
      '2026-01-01T10:00:00.000Z',
      '2026-01-02T03:00:00.000Z',
    ]);
    expect(list((s) => s.cron('0 3 * * *').runUntil('2026-01-03T03:00:00Z'), '2026-01-01T10:00:00Z', 5)).toEqual([
      '2026-01-02T03:00:00.000Z',
    ]);
  });

  it.each([
    ['', /cron\(\) needs an expression/],
    ['* * * *', /has 4 fields/],
    ['0 0 12 * * * 2027', /has 7 fields/],
    ['60 * * * *', /cron expression "60 \* \* \* \*": minute field "60" is invalid: values are numbers from 0 to 59/],
    ['0 25 * * *', /hour field "25" is invalid/],
    ['*/60 * * * *', /minute field "\*\/60" is invalid: a step must be a number from 1 to 59/],
    ['1/60 * * * *', /minute field "1\/60" is invalid: a step must be a number from 1 to 59/],
    ['0 1/24 * * *', /hour field "1\/24" is invalid: a step must be a number from 1 to 23/],
    ['0 0 1LW * *', /day-of-month field "1LW" is invalid: L, L-n, LW, L-nW and nW stand alone/],
    ['0 0 L-31 * *', /day-of-month field "L-31" is invalid: L-n takes n from 0 to 30/],
    ['0 0 1,15W * *', /day-of-month field "1,15W" is invalid/],
    ['0 0 * * 0#', /day-of-week field "0#" is invalid/],
    ['0 0 * * MON#6', /day-of-week field "MON#6" is invalid: n#k takes k from 1 to 5/],
    ['0 0 * * SUNDAY', /day-of-week field "SUNDAY" is invalid: values are numbers from 0 to 7 or a name/],
    ['0 0 * * 8', /day-of-week field "8" is invalid/],
    ['H 0 * * *', /minute field "H" is invalid: hashed values \(H\) need a seed/],
    ['*,5 * * * *', /minute field "\*,5" is invalid: "\*" stands alone or takes a step/],
    ['@every_hour', /unknown nickname; use one of @yearly/],
    ['0 0 31 2 *', /never fires/],
  ])('rejects %j', (expression, message) => {
    const run = (): unknown => buildSchedule((s) => s.cron(expression), Date.UTC(2026, 0, 1));
    expect(run).toThrow(InvalidScheduleError);
    expect(run).toThrow(message);
  });
});
