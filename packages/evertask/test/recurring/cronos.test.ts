import { describe, expect, it } from 'vitest';
import { InvalidScheduleError } from '../../src/errors.js';
import { buildSchedule, nextOccurrences } from '../../src/recurring/index.js';
import {
  acceptedMacros,
  equalPairs,
  hashedExpressions,
  nextFactGroups,
  progressFacts,
  rejectedExpressions,
  unreachableFacts,
  whiteSpaceFacts,
} from './cronos-facts.js';
import { cronosTime } from './cronos-time.js';

// Cronos's own test cases (data in cronos-facts.ts, source named there), run through our public API.
// Cronos combines day-of-month and day-of-week with AND, so every case uses { dayMatch: 'and' }.

/** The first occurrence at or after (`inclusive`) or strictly after `from`, as Cronos's GetNextOccurrence. */
function next(expression: string, zone: string, from: string, inclusive: boolean): number | undefined {
  const { instant, round } = cronosTime(from, zone);
  // Cronos floors a time with a fraction of a second and then excludes it; strictly after the exact
  // time is the same, as occurrences fall on whole seconds.
  const after = round && inclusive ? instant - 1 : instant;
  return nextOccurrences((s) => s.cron(expression, { dayMatch: 'and' }).timeZone(zone), { from: after, count: 1 })[0]?.getTime();
}

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

/**
 * Where our documented DST rules (docs/recurring.md) answer differently from Cronos, by hand:
 *
 * 1. A repeated wall time runs once (the earlier pass) unless the hour field selects the repeated
 *    hour and the next one. Cronos also runs the later pass when the seconds, minutes or hours are
 *    written with `*`, a range or a step, even inside one hour (`0 *\/30 1 * * *` runs four times on
 *    the fall-back day, `0 0,30 1 * * *` twice). We run both the same way: the later pass is skipped
 *    and the next run is the next day's first. New York 2016-11-06: 01:00-01:59 repeats (EDT, then
 *    EST), so it is 2016-11-07 01:00 EST; Lord Howe 2017-04-02: 01:30-01:59 repeats, so it is the
 *    2017-04-03 time.
 * 2. A time inside a spring-forward gap runs at the end of the gap, and that run is there however it
 *    is asked for: from the end of the gap itself (inclusive) we return it; Cronos skips it then.
 *    Amman 2017-03-31 and 2018-03-30: 00:00-00:59 does not exist, 00:30 runs at 01:00 +03:00.
 */
const ourAnswers: Record<string, Record<string, string>> = {
  GetNextOccurrence_HandleDST_WhenTheClockJumpsBackward: {
    '0 */30 1': '2016-11-07 01:00 -05:00',
    '0 0/30 1': '2016-11-07 01:00 -05:00',
    '0 0-30 1': '2016-11-07 01:00 -05:00',
    '*/30 0 1': '2016-11-07 01:00:00 -05:00',
    '0/30 0 1': '2016-11-07 01:00:00 -05:00',
    '0-30 0 1': '2016-11-07 01:00:00 -05:00',
  },
  GetNextOccurrence_HandleDST_WhenTheClockJumpsBackwardAndDeltaIsNotHour: {
    '0 */30 1': '2017-04-03 01:00 +10:30',
    '0 0/30 1': '2017-04-03 01:00 +10:30',
    '0 0-30 1': '2017-04-03 01:00 +10:30',
    '*/30 30 1': '2017-04-03 01:30:00 +10:30',
    '0/30 30 1': '2017-04-03 01:30:00 +10:30',
    '0-30 30 1': '2017-04-03 01:30:00 +10:30',
  },
};

/** Our answer for a case: Cronos's, except where rule 1 or 2 above applies. */
function expectedFor(source: string, expression: string, from: string, cronos: string): string {
  const key = expression.trim().replace(/\s+/g, ' ').replace(/ \* \* \*$/, '');
  const ours = ourAnswers[source]?.[key];
  // Rule 1 changes only the answers Cronos finds in the later pass of the repeated hour.
  if (ours !== undefined && cronos.endsWith(source.endsWith('NotHour') ? '+10:30' : '-05:00') && cronos.startsWith(from.slice(0, 10))) {
    return ours;
  }
  if (source.endsWith('JumpsForwardOnFriday') && from.endsWith('01:00 +03:00')) return from; // rule 2
  return cronos;
}

describe('Cronos CronExpressionFacts: next occurrences', () => {
  for (const group of nextFactGroups) {
    it.each(group.cases.map((c) => [...c]))(`${group.source} (${group.zone}): %j from %j → %j (inclusive %j)`, (expression, from, expected, inclusive) => {
      const answer = expectedFor(group.source, expression, from, expected);
      expect(iso(next(expression, group.zone, from, inclusive))).toBe(iso(cronosTime(answer, group.zone).instant));
    });
  }

  it.each(whiteSpaceFacts.map((e) => [e]))('HandleWhiteSpaces: %j runs every second', (expression) => {
    const from = Date.UTC(2016, 2, 18, 12, 0, 0);
    expect(nextOccurrences((s) => s.cron(expression), { from: from - 1, count: 1 })[0]?.getTime()).toBe(from);
  });

  it.each(progressFacts.map((c) => [...c]))('MakesProgressInsideLoop: %j from %j', (expression, from) => {
    const start = cronosTime(from, 'America/New_York').instant;
    const runs = nextOccurrences((s) => s.cron(expression).timeZone('America/New_York'), { from: start, count: 100 });
    expect(runs).toHaveLength(100);
    runs.forEach((run, index) => expect(run.getTime()).toBeGreaterThan(index === 0 ? start : (runs[index - 1] as Date).getTime()));
  });
});

describe('Cronos CronExpressionFacts: single facts', () => {
  const first = (expression: string, zone: string, after: number): string | undefined =>
    nextOccurrences((s) => s.cron(expression, { dayMatch: 'and' }).timeZone(zone), { from: after, count: 1 })[0]?.toISOString();

  it('HandlesBorderConditions_WhenDSTEnds: 59 59 01 * * * just before 02:00 EST runs the next day', () => {
    const from = cronosTime('2016-11-06 02:00 -05:00', 'UTC').instant - 1;
    expect(first('59 59 01 * * *', 'America/New_York', from - 1)).toBe(iso(cronosTime('2016-11-07 01:59:59 -05:00', 'UTC').instant));
  });

  it('GetOccurrence_PassesTests_DefinedInTheGitHubIssue53: 0 0 * * SAT around 2000-01-01 00:00 -05:00', () => {
    const midnight = cronosTime('2000-01-01 00:00 -05:00', 'UTC').instant;
    const week = 7 * 86_400_000;
    expect(first('0 0 * * SAT', 'America/New_York', midnight - 2)).toBe(iso(midnight)); // just before
    expect(first('0 0 * * SAT', 'America/New_York', midnight - 1)).toBe(iso(midnight)); // at, inclusive
    expect(first('0 0 * * SAT', 'America/New_York', midnight)).toBe(iso(midnight + week)); // at, exclusive
    expect(first('0 0 * * SAT', 'America/New_York', midnight + 3_600_000)).toBe(iso(midnight + week));
    expect(first('0 0 * * SAT', 'America/New_York', midnight + 61_000)).toBe(iso(midnight + week));
  });

  it('FromDateTimeMinValueInclusive_SuccessfullyReturned: * * * * * from 0001-01-01 00:00 UTC', () => {
    const from = Date.parse('0001-01-01T00:00:00Z');
    expect(first('* * * * *', 'UTC', from - 1)).toBe('0001-01-01T00:00:00.000Z');
  });

  it.each([1, 9999])('RoundsFromUtcUpToTheSecond: * * * * * * from 11:59:59 and %i ticks', (ticks) => {
    const { instant, round } = cronosTime(`2017-07-20 11:59:59.${String(ticks).padStart(7, '0')} +00:00`, 'UTC');
    expect(round).toBe(false);
    expect(first('* * * * * *', 'UTC', instant)).toBe('2017-07-20T12:00:00.000Z');
  });

  it('ReturnsAGreaterValue_EvenWhenMillisecondTruncationRuleIsAppliedDueToDST (Asia/Amman)', () => {
    const from = cronosTime('2021-03-25 23:59:59.9999999 +02:00', 'UTC').instant;
    expect(Date.parse(first('* * * * * *', 'Asia/Amman', from) as string)).toBeGreaterThan(from);
  });

  it.each(['America/New_York', 'Asia/Amman', 'UTC'])('ReturnsTheSameDateTimeWithGivenTimeZoneOffset and ReturnsUtcDateTime (%s)', (zone) => {
    const offsetFrom = cronosTime('2017-03-04 00:00 +12:30', 'UTC').instant;
    expect(first('* * * * *', zone, offsetFrom - 1)).toBe(iso(offsetFrom));
    expect(first('* * * * *', zone, Date.UTC(2017, 2, 6) - 1)).toBe(iso(Date.UTC(2017, 2, 6)));
  });

  it('VeryLastResult and ReturnsNull_WhenOutOfMaxRange: we go on past 9999 (a documented difference)', () => {
    const last = Date.UTC(9999, 11, 31, 23, 59, 59);
    expect(first('* * * * * *', 'UTC', last - 1)).toBe(iso(last));
    expect(first('* * * * * *', 'UTC', last)).toBe('+010000-01-01T00:00:00.000Z'); // Cronos: none
  });

  it.each(equalPairs.map((c) => [...c]))('Equals_ReturnsTrue_WhenCronExpressionsAreEqual: %j runs as %j', (left, right) => {
    // Equal schedules: the same next runs from the 1st and the 15th of every month of 2017 (or the
    // same refusal: "* * L-3W * 0L", a weekday that is a Sunday, never fires).
    const starts = Array.from({ length: 24 }, (_, i) => Date.UTC(2017, Math.floor(i / 2), i % 2 === 0 ? 1 : 15));
    const runs = (expression: string): string[] => {
      try {
        return starts.flatMap((from) => nextOccurrences((s) => s.cron(expression, { dayMatch: 'and' }), { from, count: 3 }).map((d) => d.toISOString()));
      } catch (error) {
        return [(error as Error).message.replace(expression, '…')];
      }
    };
    expect(runs(right)).toEqual(runs(left));
  });
});

describe('Cronos CronExpressionFacts: what it accepts and refuses', () => {
  it.each(acceptedMacros.map((m) => [m]))('accepts the nickname %j', (macro) => {
    expect(() => buildSchedule((s) => s.cron(macro), Date.UTC(2026, 0, 1))).not.toThrow();
  });

  it.each(rejectedExpressions.map((c) => [...c]))('refuses %j (Cronos names the %s field)', (expression) => {
    const run = (): unknown => buildSchedule((s) => s.cron(expression), Date.UTC(2026, 0, 1));
    expect(run).toThrow(InvalidScheduleError);
    expect(run).toThrow(`cron expression "${expression}"`);
  });

  it.each(['', 'SomeG@rbage'])('refuses %j (TryParse returns false)', (expression) => {
    expect(() => buildSchedule((s) => s.cron(expression), Date.UTC(2026, 0, 1))).toThrow(InvalidScheduleError);
  });

  it.each(hashedExpressions.map((e) => [e]))('refuses the hashed %j (H needs a seed)', (expression) => {
    expect(() => buildSchedule((s) => s.cron(expression), Date.UTC(2026, 0, 1))).toThrow(/hashed values \(H\)|unknown nickname/);
  });

  it.each(unreachableFacts.map((c) => [...c]))('%j never fires (from %s, %s)', (expression, from, zone) => {
    const run = (): unknown =>
      buildSchedule((s) => s.cron(expression, { dayMatch: 'and' }).timeZone(zone), cronosTime(from, zone).instant);
    expect(run).toThrow(InvalidScheduleError);
    expect(run).toThrow(/never fires: its day, month and weekday selections exclude each other/);
  });
});
