import { nextOccurrences } from '../../src/recurring/index.js';
import type { RecurringBuilder } from '../../src/recurring/index.js';

/** ISO strings of the next `count` occurrences after `from`. */
export const list = (recurring: RecurringBuilder, from: string, count: number): string[] =>
  nextOccurrences(recurring, { from: new Date(from), count }).map((d) => d.toISOString());

export const ms = (iso: string): number => {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`bad test instant ${iso}`);
  return t;
};
