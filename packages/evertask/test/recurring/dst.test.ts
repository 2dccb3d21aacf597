import { describe, expect, it } from 'vitest';
import { nextOccurrences } from '../../src/recurring/index.js';
import type { RecurringBuilder } from '../../src/recurring/index.js';

// Expected instants are derived by hand from the zone rules (see the comments), never printed by the code.
const list = (recurring: RecurringBuilder, from: string, count: number): string[] =>
  nextOccurrences(recurring, { from: new Date(from), count }).map((d) => d.toISOString());

describe('DST: Europe/Rome (CET +1, CEST +2; last Sunday of March 02:00→03:00, last Sunday of October 03:00→02:00)', () => {
  it('daily 02:30 on spring-forward day 2026-03-29 runs once at 03:00 local (01:00Z)', () => {
    expect(list((s) => s.everyDay().atTime('02:30').timeZone('Europe/Rome'), '2026-03-27T12:00:00Z', 3)).toEqual([
      '2026-03-28T01:30:00.000Z', // 02:30 CET
      '2026-03-29T01:00:00.000Z', // 02:30 does not exist → 03:00 CEST
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
    ]);
  });

  it('daily 02:30 on fall-back day 2026-10-25 runs once, at the earlier instant', () => {
    expect(list((s) => s.everyDay().atTime('02:30').timeZone('Europe/Rome'), '2026-10-23T12:00:00Z', 3)).toEqual([
      '2026-10-24T00:30:00.000Z', // 02:30 CEST
      '2026-10-25T00:30:00.000Z', // first 02:30 (CEST); the CET one at 01:30Z does not run
      '2026-10-26T01:30:00.000Z', // 02:30 CET
    ]);
  });

  it('cron 30 2 * * * follows the same rules', () => {
    expect(list((s) => s.cron('30 2 * * *').timeZone('Europe/Rome'), '2026-03-28T12:00:00Z', 2)).toEqual([
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
    expect(list((s) => s.cron('0 30 2 * * *').timeZone('Europe/Rome'), '2026-10-24T12:00:00Z', 2)).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
  });
});

describe('DST: America/New_York (EST −5, EDT −4; 2nd Sunday of March 02:00→03:00, 1st Sunday of November 02:00→01:00)', () => {
  // 2026: March 8 and November 1 are those Sundays.
  it('daily 02:30 on 2026-03-08 runs at 03:00 EDT', () => {
    expect(list((s) => s.everyDay().atTime('02:30').timeZone('America/New_York'), '2026-03-06T12:00:00Z', 3)).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST
      '2026-03-08T07:00:00.000Z', // gap → 03:00 EDT
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
    ]);
  });

  it('daily 01:30 on 2026-11-01 runs once, at 01:30 EDT', () => {
    expect(list((s) => s.everyDay().atTime('01:30').timeZone('America/New_York'), '2026-10-30T12:00:00Z', 3)).toEqual([
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z', // 01:30 EDT; 01:30 EST (06:30Z) does not run
      '2026-11-02T06:30:00.000Z', // 01:30 EST
    ]);
  });

  it('cron 30 2 * * * and 30 1 * * * follow the same rules', () => {
    expect(list((s) => s.cron('30 2 * * *').timeZone('America/New_York'), '2026-03-07T12:00:00Z', 2)).toEqual([
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T06:30:00.000Z',
    ]);
    expect(list((s) => s.cron('30 1 * * *').timeZone('America/New_York'), '2026-10-31T12:00:00Z', 2)).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('a cron whose hour field is * keeps its rhythm: both passes of the repeated hour run', () => {
    expect(list((s) => s.cron('*/30 * * * *').timeZone('America/New_York'), '2026-11-01T05:00:00Z', 4)).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST
      '2026-11-01T06:30:00.000Z', // 01:30 EST
      '2026-11-01T07:00:00.000Z', // 02:00 EST
    ]);
    // …and asking from inside the second pass continues there.
    expect(list((s) => s.cron('*/30 * * * *').timeZone('America/New_York'), '2026-11-01T06:10:00Z', 2)).toEqual([
      '2026-11-01T06:30:00.000Z',
      '2026-11-01T07:00:00.000Z',
    ]);
  });

  it('a cron with a fixed hour asked from inside the second pass does not repeat', () => {
    expect(list((s) => s.cron('0 30 1 * * *').timeZone('America/New_York'), '2026-11-01T06:10:00Z', 1)).toEqual([
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('the skipped hour of a sub-hourly cron collapses into one run at 03:00 EDT', () => {
    expect(list((s) => s.cron('*/30 * * * *').timeZone('America/New_York'), '2026-03-08T06:00:00Z', 3)).toEqual([
      '2026-03-08T06:30:00.000Z', // 01:30 EST
      '2026-03-08T07:00:00.000Z', // 02:00 and 02:30 do not exist → 03:00 EDT, once
      '2026-03-08T07:30:00.000Z', // 03:30 EDT
    ]);
  });
});

describe('DST: Australia/Sydney (AEST +10, AEDT +11; 1st Sunday of April 03:00→02:00, 1st Sunday of October 02:00→03:00)', () => {
  // 2026: April 5 and October 4 are those Sundays.
  it('daily 02:30 on 2026-04-05 (fall-back) runs once at the earlier instant', () => {
    expect(list((s) => s.everyDay().atTime('02:30').timeZone('Australia/Sydney'), '2026-04-03T00:00:00Z', 3)).toEqual([
      '2026-04-03T15:30:00.000Z', // Apr 4 02:30 AEDT
      '2026-04-04T15:30:00.000Z', // Apr 5 02:30 AEDT (first); 16:30Z (AEST) does not run
      '2026-04-05T16:30:00.000Z', // Apr 6 02:30 AEST
    ]);
  });

  it('daily 02:30 on 2026-10-04 (spring-forward) runs at 03:00 AEDT', () => {
    expect(list((s) => s.everyDay().atTime('02:30').timeZone('Australia/Sydney'), '2026-10-02T00:00:00Z', 3)).toEqual([
      '2026-10-02T16:30:00.000Z', // Oct 3 02:30 AEST
      '2026-10-03T16:00:00.000Z', // Oct 4 gap → 03:00 AEDT
      '2026-10-04T15:30:00.000Z', // Oct 5 02:30 AEDT
    ]);
  });

  it('cron in Sydney, both transitions', () => {
    expect(list((s) => s.cron('0 30 2 * * *').timeZone('Australia/Sydney'), '2026-04-04T00:00:00Z', 2)).toEqual([
      '2026-04-04T15:30:00.000Z',
      '2026-04-05T16:30:00.000Z',
    ]);
    expect(list((s) => s.cron('30 2 * * *').timeZone('Australia/Sydney'), '2026-10-03T00:00:00Z', 2)).toEqual([
      '2026-10-03T16:00:00.000Z',
      '2026-10-04T15:30:00.000Z',
    ]);
  });
});

describe('elapsed-time intervals ignore DST', () => {
  it('every(90).minutes() across the Rome spring-forward', () => {
    // Built at 01:10 CET (00:10Z): grid from 01:00 CET = 00:00Z.
    expect(list((s) => s.every(90).minutes().timeZone('Europe/Rome'), '2026-03-29T00:10:00Z', 3)).toEqual([
      '2026-03-29T01:30:00.000Z',
      '2026-03-29T03:00:00.000Z',
      '2026-03-29T04:30:00.000Z',
    ]);
  });

  it('everyHour() across the Rome fall-back runs every 60 minutes (local 02:00 twice)', () => {
    expect(list((s) => s.everyHour().timeZone('Europe/Rome'), '2026-10-24T23:10:00Z', 4)).toEqual([
      '2026-10-25T00:00:00.000Z', // 02:00 CEST
      '2026-10-25T01:00:00.000Z', // 02:00 CET
      '2026-10-25T02:00:00.000Z',
      '2026-10-25T03:00:00.000Z',
    ]);
  });

  it('weekly and monthly schedules are wall clock: 09:00 Rome before and after the change', () => {
    expect(list((s) => s.everyWeek().onDay('sunday').atTime('09:00').timeZone('Europe/Rome'), '2026-03-20T00:00:00Z', 2)).toEqual([
      '2026-03-22T08:00:00.000Z',
      '2026-03-29T07:00:00.000Z',
    ]);
  });
});
