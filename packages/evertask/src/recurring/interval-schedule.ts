/** Elapsed-time grids: `anchor + k × period`. Every operation is O(1). */
import type { IntervalRule } from './schedule-spec.js';

const UNIT_MS = { second: 1_000, minute: 60_000, hour: 3_600_000 } as const;

/** Period of the grid in milliseconds. */
export function intervalPeriod(rule: IntervalRule): number {
  return rule.every * UNIT_MS[rule.unit];
}

/** First grid instant strictly after `after`. */
export function intervalAfter(rule: IntervalRule, after: number): number {
  const period = intervalPeriod(rule);
  return rule.anchor + (Math.floor((after - rule.anchor) / period) + 1) * period;
}

/** Last grid instant at or before `at`. */
export function intervalAtOrBefore(rule: IntervalRule, at: number): number {
  const period = intervalPeriod(rule);
  return rule.anchor + Math.floor((at - rule.anchor) / period) * period;
}

/** Number of grid instants in the closed range [from, to]. */
export function intervalCount(rule: IntervalRule, from: number, to: number): number {
  if (to < from) return 0;
  const period = intervalPeriod(rule);
  return Math.floor((to - rule.anchor) / period) - Math.ceil((from - rule.anchor) / period) + 1;
}
