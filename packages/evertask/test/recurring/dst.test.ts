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
