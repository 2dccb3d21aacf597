import { describe, expect, it } from 'vitest';
import { InvalidScheduleError } from '../../src/errors.js';
import { buildSchedule, parseSchedule, serializeSchedule, listOccurrences } from '../../src/recurring/index.js';
import type { RecurringBuilder } from '../../src/recurring/index.js';

const now = Date.UTC(2026, 0, 1, 10);

describe('serializeSchedule / parseSchedule', () => {
  it.each<[string, RecurringBuilder]>([
    ['interval', (s) => s.every(90).minutes().maxRuns(5)],
    ['calendar', (s) => s.runNow().then().everyDay().onDays('mon').atTimes('09:00', '18:00').onMonths(1, 2).timeZone('Europe/Rome').catchUp()],
    ['month', (s) => s.everyMonth().onLast('fri').runUntil('2027-01-01T00:00:00Z')],
    ['cron', (s) => s.cron('0 */5 * * * *').timeZone('America/New_York')],
  ])('round-trips a %s schedule as plain JSON', (_kind, recurring) => {
    const spec = buildSchedule(recurring, now);
    const text = serializeSchedule(spec);
    expect(JSON.parse(text)).toEqual(spec);
    const back = parseSchedule(text);
    expect(back).toEqual(spec);
    expect(listOccurrences(back, now, 5)).toEqual(listOccurrences(spec, now, 5));
  });

  const valid = () => JSON.parse(serializeSchedule(buildSchedule((s) => s.everyDay().atTime('03:00'), now))) as Record<string, unknown>;

  it.each<[string, (o: Record<string, unknown>) => unknown, RegExp]>([
    ['not JSON', () => '{', /not valid JSON/],
    ['not an object', () => [], /schedule is \[\]/],
    ['wrong version', (o) => ({ ...o, version: 2 }), /schedule.version is 2/],
    ['unknown field', (o) => ({ ...o, extra: 1 }), /schedule.extra/],
    ['unknown zone', (o) => ({ ...o, timeZone: 'Mars/Olympus' }), /timeZone "Mars\/Olympus"/],
    ['bad maxRuns', (o) => ({ ...o, maxRuns: 0 }), /schedule.maxRuns is 0/],
    ['bad runUntil', (o) => ({ ...o, runUntil: 'tomorrow' }), /schedule.runUntil/],
    ['bad catchUp', (o) => ({ ...o, catchUp: 'all' }), /schedule.catchUp/],
    ['missing rule', (o) => ({ ...o, rule: undefined }), /schedule.rule is undefined/],
    ['bad kind', (o) => ({ ...o, rule: { kind: 'weird' } }), /schedule.rule.kind/],
    ['bad times', (o) => ({ ...o, rule: { ...(o.rule as object), times: [90000] } }), /schedule.rule.times\[0\]/],
    ['unsorted times', (o) => ({ ...o, rule: { ...(o.rule as object), times: [5, 1] } }), /sorted/],
    ['empty times', (o) => ({ ...o, rule: { ...(o.rule as object), times: [] } }), /non-empty/],
    ['bad every', (o) => ({ ...o, rule: { ...(o.rule as object), every: 0 } }), /schedule.rule.every is 0/],
    ['month days on a day rule', (o) => ({ ...o, rule: { ...(o.rule as object), monthDays: [1] } }), /monthDays/],
    ['bad cron', (o) => ({ ...o, rule: { kind: 'cron', expression: '61 * * * *' } }), /cron expression/],
    ['bad interval unit', (o) => ({ ...o, rule: { kind: 'interval', unit: 'day', every: 1, anchor: 0 } }), /schedule.rule.unit/],
  ])('rejects a corrupt row: %s', (_name, corrupt, message) => {
    const value = corrupt(valid());
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    expect(() => parseSchedule(text)).toThrow(InvalidScheduleError);
    expect(() => parseSchedule(text)).toThrow(message);
  });
});
