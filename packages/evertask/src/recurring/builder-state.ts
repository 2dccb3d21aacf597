/**
 * The state a `ScheduleBuilder` collects, kept outside the instance (so the builder's public
 * surface is its methods only) and read when the schedule is built.
 */
import type { CronRule } from './schedule-spec.js';

export type Unit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month';
export type Initial = { kind: 'now' } | { kind: 'at'; at: number } | { kind: 'delay'; ms: number };

export interface BuilderState {
  unit?: Unit;
  every?: number;
  unitCall?: string;
  cron?: CronRule;
  atSecond?: number;
  atMinute?: number;
  times?: number[];
  timesCall?: string;
  days?: { values: readonly unknown[]; call: string };
  weekdayOfMonth?: { nth: 'first' | 'last'; weekday: number; call: string };
  months?: number[];
  timeZone?: string;
  initial?: Initial;
  maxRuns?: number;
  runUntil?: number;
  catchUp?: 'last';
}

const states = new WeakMap<object, BuilderState>();

export function stateOf(builder: object): BuilderState {
  return states.get(builder) as BuilderState;
}

/** Gives a new builder its empty state. */
export function initState(builder: object): void {
  states.set(builder, {});
}
