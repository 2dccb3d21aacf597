import { describe as suite, expect, it } from 'vitest';
import { describe, describeSchedule, buildSchedule } from '../../src/recurring/index.js';
import type { RecurringBuilder } from '../../src/recurring/index.js';

const now = Date.UTC(2026, 0, 1);
const text = (recurring: RecurringBuilder): string => describeSchedule(recurring, now);

suite('describeSchedule', () => {
  it.each<[RecurringBuilder, string]>([
    [(s) => s.everyDay().atTime('03:00').timeZone('Europe/Rome'), 'every day at 03:00 (Europe/Rome)'],
    [(s) => s.every(5).minutes(), 'every 5 minutes'],
    [(s) => s.everySecond(), 'every second'],
    [(s) => s.every(10).seconds(), 'every 10 seconds'],
    [(s) => s.everyMinute().atSecond(30), 'every minute at second 30'],
    [(s) => s.everyHour(), 'every hour'],
    [(s) => s.every(2).hours().atMinute(15), 'every 2 hours at minute 15'],
    [(s) => s.every(3).days().atTimes('09:00', '17:30:15'), 'every 3 days at 09:00 and 17:30:15'],
    [(s) => s.everyWeek().onDays('monday', 'friday').atTime('09:00'), 'at 09:00 on Monday and Friday'],
    [(s) => s.everyDay().onDays(1, 2, 3, 4, 5).atTime('08:00'), 'at 08:00 on weekdays'],
    [(s) => s.every(2).weeks().onDay('sun').atTime('10:00'), 'every 2 weeks on Sunday at 10:00'],
    [
      (s) => s.everyMonth().onLast('friday').atTime('18:00').timeZone('America/New_York'),
      'on the last Friday of every month at 18:00 (America/New_York)',
    ],
    [(s) => s.everyMonth().onFirst('Mon').atTime('08:00'), 'on the first Monday of every month at 08:00'],
    [(s) => s.everyMonth().onDays(1, 15), 'on the 1st and 15th of every month at 00:00'],
    [(s) => s.every(3).months().onDay(31), 'on the last day of every 3 months at 00:00'],
    [(s) => s.everyDay().atTime('12:00').onMonths(6, 7, 8), 'every day at 12:00 in June, July and August'],
    [(s) => s.cron('0 */5 * * * *'), 'every 5 minutes'],
    [(s) => s.cron('*/5 * * * *'), 'every 5 minutes'],
    [(s) => s.cron('* * * * *'), 'every minute'],
    [(s) => s.cron('*/15 * * * * *'), 'every 15 seconds'],
    [(s) => s.cron('0 * * * *'), 'every hour'],
    [(s) => s.cron('30 */2 * * *'), 'every 2 hours at minute 30'],
    [(s) => s.cron('0 3 * * *').timeZone('Europe/Rome'), 'every day at 03:00 (Europe/Rome)'],
    [(s) => s.cron('0 9 * * 1-5'), 'at 09:00 on weekdays'],
    [(s) => s.cron('0 9 * * MON,FRI'), 'at 09:00 on Monday and Friday'],
    [(s) => s.cron('0 18 L * *'), 'on the last day of every month at 18:00'],
    [(s) => s.cron('0 6 1,15 * *'), 'on the 1st and 15th of every month at 06:00'],
    [(s) => s.cron('0 12 * * 5L').timeZone('Europe/Rome'), 'on the last Friday of every month at 12:00 (Europe/Rome)'],
    // Forms brought from Cronos.
    [(s) => s.cron('0/30 * * * *'), 'every 30 minutes'],
    [(s) => s.cron('0 0/6 * * *'), 'every 6 hours'],
    [(s) => s.cron('? ? * * *'), 'every minute'],
    [(s) => s.cron('0 22-2 * * *'), 'every hour from 22:00 to 02:00'],
    [(s) => s.cron('15 22-2 * * *'), 'every hour from 22:15 to 02:15'],
    [(s) => s.cron('0 9,10 * * *'), 'every day at 09:00 and 10:00'],
    [(s) => s.cron('0 0 * * SAT-MON'), 'at 00:00 on Saturday to Monday'],
    [(s) => s.cron('0 12 * * FRI-MON'), 'at 12:00 on Friday to Monday'],
    [(s) => s.cron('0 8 * * MON-FRI'), 'at 08:00 on weekdays'],
    [(s) => s.cron('0,30 9 * * *'), 'every day at 09:00 and 09:30'],
    [(s) => s.cron('0 12 L-3 * *'), '3 days before the last day of every month at 12:00'],
    [(s) => s.cron('0 12 L-1 * *'), '1 day before the last day of every month at 12:00'],
    [(s) => s.cron('0 12 L-2W * *'), 'on the weekday nearest 2 days before the last day of every month at 12:00'],
    [(s) => s.cron('0 17 LW * *'), 'on the last weekday of every month at 17:00'],
    [(s) => s.cron('0 9 15W * *'), 'on the weekday nearest the 15th of every month at 09:00'],
    [(s) => s.cron('0 9 * * MON#2'), 'on the second Monday of every month at 09:00'],
    [(s) => s.cron('0 0 13 * FRI', { dayMatch: 'and' }), 'on the 13th of every month at 00:00, if it is a Friday'],
    [(s) => s.cron('0 0 13 * FRI'), 'at 00:00 on the 13th of every month and on Friday'],
    [(s) => s.cron('0 0 1 * MON#1', { dayMatch: 'and' }), 'on the 1st of every month at 00:00, if it is the first Monday of the month'],
    [(s) => s.cron('0 0 1 1,7 *'), 'on the 1st of January and July at 00:00'],
    [(s) => s.cron('0 9 * 6-8 MON'), 'at 09:00 on Monday in June, July and August'],
    [(s) => s.cron('0 9 * 12-2 *'), 'every day at 09:00 in January, February and December'],
    [(s) => s.cron('*/10 * * * SAT,SUN'), 'every 10 minutes on weekends'],
    [(s) => s.cron('@every_second'), 'every second'],
    [(s) => s.cron('*/15 9-17 * * 1-5'), 'cron */15 9-17 * * 1-5'],
  ])('%#: %s', (recurring, expected) => {
    expect(text(recurring)).toBe(expected);
  });

  it('mentions the initial run and the limits', () => {
    expect(text((s) => s.runNow().then().everyDay().maxRuns(3).runUntil('2026-02-01T00:00:00Z').catchUp())).toBe(
      'every day at 00:00; first run at 2026-01-01T00:00:00Z, at most 3 runs, until 2026-02-01T00:00:00Z, catches up the last missed run',
    );
  });

  it('describe(spec) is the same text', () => {
    expect(describe(buildSchedule((s) => s.every(5).minutes(), now))).toBe('every 5 minutes');
  });
});
