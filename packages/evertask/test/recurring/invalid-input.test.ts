import { describe, expect, it } from 'vitest';
import { InvalidScheduleError } from '../../src/errors.js';
import { buildSchedule, describeSchedule, nextOccurrences, ScheduleBuilder } from '../../src/recurring/index.js';
import type { RecurringBuilder } from '../../src/recurring/index.js';

const now = Date.UTC(2026, 0, 1, 10);
// Calls a JavaScript user could make that the types forbid.
const loose = (s: ScheduleBuilder) => s as unknown as Record<string, (...args: unknown[]) => ScheduleBuilder>;

describe('invalid schedules throw InvalidScheduleError naming the part', () => {
  it.each<[string, RecurringBuilder, RegExp]>([
    ['no recurrence', () => undefined, /no recurrence/],
    ['initial run without recurrence', (s) => void s.runNow(), /no recurrence.*after \.then\(\)/],
    ['every(0)', (s) => s.every(0).minutes(), /every\(0\).*integer from 1/],
    ['every(1.5)', (s) => s.every(1.5).hours(), /every\(1\.5\)/],
    ['every(-2)', (s) => s.every(-2).days(), /every\(-2\)/],
    ['two intervals', (s) => s.everyDay().everyHour(), /everyHour\(\) conflicts with everyDay\(\)/],
    ['interval then cron', (s) => s.every(5).minutes().cron('* * * * *'), /cron\(\) conflicts with every\(5\)\.minutes\(\)/],
    ['cron then interval', (s) => s.cron('* * * * *').everyDay(), /everyDay\(\) conflicts with cron\(\)/],
    ['cron with atTime', (s) => s.cron('0 3 * * *').atTime('03:00'), /cron\(\) cannot be combined with atTime\(\)/],
    ['cron with onDays', (s) => s.cron('0 3 * * *').onDays('mon'), /cron\(\) cannot be combined with onDays\(\)/],
    ['atTime on seconds', (s) => s.every(30).seconds().atTime('03:00'), /atTime\(\) does not apply to every\(30\)\.seconds\(\)/],
    ['atTime on hours', (s) => s.everyHour().atTime('03:00'), /atTime\(\) does not apply to everyHour\(\)/],
    ['atSecond on hours', (s) => s.everyHour().atSecond(5), /atSecond\(\) does not apply to everyHour\(\)/],
    ['atMinute on minutes', (s) => s.everyMinute().atMinute(5), /atMinute\(\) does not apply to everyMinute\(\)/],
    ['atMinute on days', (s) => s.everyDay().atMinute(5), /atMinute\(\) does not apply to everyDay\(\).*atTime/],
    ['onDay on hours', (s) => s.everyHour().onDay('mon'), /onDay\(\) does not apply to everyHour\(\)/],
    ['onMonths on minutes', (s) => s.everyMinute().onMonths(1), /onMonths\(\) does not apply/],
    ['onFirst on days', (s) => s.everyDay().onFirst('mon'), /onFirst\(\) does not apply to everyDay\(\)/],
    ['atTime 25:00', (s) => s.everyDay().atTime('25:00'), /atTime\("25:00"\).*'HH:mm'/],
    ['atTime 12:60', (s) => s.everyDay().atTime('12:60'), /atTime\("12:60"\)/],
    ['atTime noon', (s) => s.everyDay().atTime('noon'), /atTime\("noon"\)/],
    ['atTimes empty', (s) => s.everyDay().atTimes(), /atTimes\(\) needs at least one/],
    ['atTimes bad', (s) => s.everyDay().atTimes('09:00', '9pm'), /atTimes\("9pm"\)/],
    ['atTime twice', (s) => s.everyDay().atTime('09:00').atTime('10:00'), /atTime\(\) conflicts with an earlier atTime\(\).*atTimes/],
    ['atSecond 60', (s) => s.everyMinute().atSecond(60), /atSecond\(60\).*0 to 59/],
    ['atMinute -1', (s) => s.everyHour().atMinute(-1), /atMinute\(-1\)/],
    ['onDay(32) monthly', (s) => s.everyMonth().onDay(32), /onDay\(32\).*1 to 31/],
    ['onDay(0) monthly', (s) => s.everyMonth().onDay(0), /onDay\(0\).*1 to 31/],
    ['onDay(name) monthly', (s) => s.everyMonth().onDay('monday'), /onDay\("monday"\).*day of the month/],
    ['onDay(7) weekly', (s) => s.everyWeek().onDay(7), /onDay\(7\).*0-6 \(0 = Sunday/],
    ['onDay(funday) weekly', (s) => s.everyWeek().onDay('funday'), /onDay\("funday"\) is not a weekday/],
    ['onDays empty', (s) => s.everyWeek().onDays(), /onDays\(\) needs at least one day/],
    ['onMonths(13)', (s) => s.everyMonth().onMonths(13), /onMonths\(13\).*1 to 12/],
    ['onMonths empty', (s) => s.everyMonth().onMonths(), /onMonths\(\) needs at least one month/],
    ['onFirst bad', (s) => s.everyMonth().onFirst('x'), /onFirst\("x"\) is not a weekday/],
    ['onFirst and onLast', (s) => s.everyMonth().onFirst('mon').onLast('fri'), /onLast\(\) conflicts with an earlier onFirst\(\)/],
    ['onDay and onFirst', (s) => s.everyMonth().onDay(1).onFirst('mon'), /onDay\(\) conflicts with onFirst\(\)/],
    ['maxRuns(0)', (s) => s.everyDay().maxRuns(0), /maxRuns\(0\).*integer from 1/],
    ['maxRuns(2.5)', (s) => s.everyDay().maxRuns(2.5), /maxRuns\(2\.5\)/],
    ['runUntil in the past', (s) => s.everyDay().runUntil('2025-12-31T00:00:00Z'), /runUntil\(2025-12-31T00:00:00\.000Z\) is not in the future/],
    ['runUntil now', (s) => s.everyDay().runUntil(now), /is not in the future/],
    ['runUntil garbage', (s) => s.everyDay().runUntil('next week'), /runUntil\("next week"\) is not an instant/],
    ['runUntil invalid Date', (s) => s.everyDay().runUntil(new Date('x')), /runUntil\(Invalid Date\)/],
    ['runUntil before first run', (s) => s.everyDay().atTime('03:00').runUntil('2026-01-02T01:00:00Z'), /never fires before runUntil/],
    ['unknown time zone', (s) => s.everyDay().timeZone('Europe/Atlantis'), /timeZone "Europe\/Atlantis" is not a known IANA time zone/],
    ['empty time zone', (s) => s.everyDay().timeZone(''), /timeZone must be an IANA time-zone name/],
    ['runAt garbage', (s) => s.runAt('soon').then().everyDay(), /runAt\("soon"\) is not an instant/],
    ['runDelayed negative', (s) => s.runDelayed(-5).then().everyDay(), /runDelayed\(-5\)/],
    ['runDelayed garbage', (s) => s.runDelayed('later').then().everyDay(), /runDelayed\("later"\)/],
    ['two initial runs', (s) => void s.runNow().then().runAt(now), /runAt\(\) conflicts with an earlier initial run/],
    ['catchUp mode', (s) => loose(s.everyDay()).catchUp!('all') as ScheduleBuilder, /catchUp\("all"\): the only mode is 'last'/],
    ['month filter never matching', (s) => s.every(12).months().onMonths(2), /never fires/],
    ['weekday filter never matching', (s) => s.every(7).days().onDay('fri'), /never fires/],
    ['callback throws', () => {
      throw new Error('boom');
    }, /callback threw: boom/],
  ])('%s', (_name, recurring, message) => {
    const run = (): unknown => buildSchedule(recurring, now);
    expect(run).toThrow(InvalidScheduleError);
    expect(run).toThrow(message);
  });

  it('rejects a non-function and bad nextOccurrences options', () => {
    expect(() => buildSchedule('daily' as unknown as RecurringBuilder, now)).toThrow(/recurring must be a function/);
    expect(() => nextOccurrences((s) => s.everyDay(), { from: now, count: -1 })).toThrow(/count must be an integer/);
    expect(() => nextOccurrences((s) => s.everyDay(), { from: new Date('x') })).toThrow(/from: Invalid Date.*is not an instant/);
    expect(() => describeSchedule((s) => s.everyDay().atTime('24:00'))).toThrow(InvalidScheduleError);
  });

  it('errors carry the schedule error code', () => {
    try {
      buildSchedule((s) => s.everyDay().onDay(32), now);
    } catch (error) {
      expect((error as InvalidScheduleError).code).toBe('ERR_INVALID_SCHEDULE');
      return;
    }
    throw new Error('expected a throw');
  });

  it('awaiting an initial-run step does not hang', async () => {
    const builder = new ScheduleBuilder();
    await (builder.runNow() as unknown as Promise<unknown>);
    expect(builder.runNow).toBeTypeOf('function');
  });
});
