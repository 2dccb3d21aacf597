/**
 * Occurrence arithmetic the engine relies on: first run, next run after a run (computed from the
 * scheduled time, so no drift), skip-forward after downtime with a missed count, catch-up, and the
 * end of a series (maxRuns, runUntil). Pure functions of their arguments; no clock, no I/O.
 */
import { InvalidScheduleError } from '../errors.js';
import { calendarAfter } from './calendar-schedule.js';
import { compileCron, cronAfter } from './cron-schedule.js';
import { intervalAfter, intervalAtOrBefore, intervalCount, intervalPeriod } from './interval-schedule.js';
import type { RecurringSchedule } from './schedule-spec.js';

/**
 * How late an occurrence may be and still count as on time (ms). A next occurrence that is at
 * most this far in the past is returned as is (the engine runs it immediately) and is not missed.
 */
export const LATE_GRACE_MS = 1_000;

/**
 * Missed occurrences of calendar and cron schedules are counted exactly up to this number; beyond
 * it the count stops there (a lower bound). Elapsed-time intervals are always counted exactly, in O(1).
 */
export const MISSED_COUNT_LIMIT = 10_000;

/** Result of `nextOccurrence` / `resumeOccurrence`. */
export interface NextRun {
  /** When to run next (epoch ms). In the past only for a catch-up or a slightly late occurrence: run it now. */
  readonly at: number;
  /** Occurrences skipped because they were due while nothing ran (downtime, a long run). */
  readonly missed: number;
}

/**
 * The first recurrence instant strictly after `after`, ignoring the initial run, maxRuns and
 * runUntil; undefined when the rule never fires again.
 */
export function occurrenceAfter(schedule: RecurringSchedule, after: number): number | undefined {
  const rule = schedule.rule;
  switch (rule.kind) {
    case 'interval':
      return intervalAfter(rule, after);
    case 'calendar':
      return calendarAfter(rule, schedule.timeZone, after);
    case 'cron':
      return cronAfter(compileCron(rule.expression, rule.dayMatch), schedule.timeZone, after);
  }
}

/**
 * The first recurrence strictly after `after` that may follow the initial run. An initial run
 * (`runNow`, `runAt`, `runDelayed`) of an interval schedule stands in for a grid instant less than
 * half a period after it, so the two never run back to back: `runNow().then().every(5).seconds()`
 * started at :04.9 runs at :04.9, :10, :15… (not :04.9 and :05), and `runNow().then().everyHour()`
 * started at 10:20 runs at 10:20, 11:00, 12:00… Calendar and cron schedules name wall-clock times
 * and resume at their first occurrence strictly after the initial run.
 */
function recurrenceAfter(schedule: RecurringSchedule, after: number): number | undefined {
  const { rule, initialRun } = schedule;
  if (rule.kind === 'interval' && initialRun !== undefined) {
    const earliest = initialRun + Math.ceil(intervalPeriod(rule) / 2);
    return occurrenceAfter(schedule, Math.max(after, earliest - 1));
  }
  return occurrenceAfter(schedule, after);
}

/**
 * When the series runs first, or undefined when it never runs (its first occurrence is at or
 * after `runUntil`).
 *
 * With an initial run (`runNow`, `runAt`, `runDelayed`) that is its instant — possibly in the past,
 * meaning "run now". Otherwise it is the first occurrence strictly after `now`: a slot exactly at
 * `now` does not fire (use `runNow()` for an immediate first run).
 */
export function firstOccurrence(schedule: RecurringSchedule, now: number): number | undefined {
  const first = schedule.initialRun ?? occurrenceAfter(schedule, now);
  return first === undefined || isPastEnd(schedule, first) ? undefined : first;
}

/**
 * The run after the one scheduled at `scheduledAt`, once it has finished.
 *
 * - `runCount`: runs executed so far in the series, the one at `scheduledAt` included (the initial
 *   run counts). When it has reached `maxRuns` the series is over.
 * - The next occurrence is computed from `scheduledAt`, not from completion time, so there is no
 *   drift. If it is due no earlier than `now - LATE_GRACE_MS` it is returned with `missed: 0`.
 * - Otherwise occurrences were missed (downtime, a run longer than the period): they are counted,
 *   not replayed, and the result is the first occurrence strictly after `now`. With
 *   `catchUp: 'last'` the result is instead the last missed occurrence (in the past: run it now)
 *   and `missed` counts the others; the engine calls this function again after that run.
 * - Undefined when the series is over: maxRuns reached, no further occurrence, or the next one is
 *   at or after `runUntil`.
 */
export function nextOccurrence(
  schedule: RecurringSchedule,
  options: { scheduledAt: number; now: number; runCount: number },
): NextRun | undefined {
  const { scheduledAt, now, runCount } = checkTimes(options);
  if (schedule.maxRuns !== undefined && runCount >= schedule.maxRuns) return undefined;
  const next = recurrenceAfter(schedule, scheduledAt);
  if (next === undefined || isPastEnd(schedule, next)) return undefined;
  if (next >= now - LATE_GRACE_MS) return { at: next, missed: 0 };
  return skipForward(schedule, next, 0, now);
}

/**
 * Recovery after a restart: the stored next run `plannedAt` may have passed while the process was
 * down. A future (or ≤ `LATE_GRACE_MS` late) `plannedAt` is kept. A past one that is still the
 * current slot — the occurrence after it is not yet due — runs once now (`at: plannedAt`).
 * Otherwise it and the later passed occurrences are missed and handled as in `nextOccurrence`
 * (skip forward, or catch up the last one). Undefined when the series is over.
 */
export function resumeOccurrence(
  schedule: RecurringSchedule,
  options: { plannedAt: number; now: number; runCount: number },
): NextRun | undefined {
  const { scheduledAt: plannedAt, now, runCount } = checkTimes({ ...options, scheduledAt: options.plannedAt });
  if (schedule.maxRuns !== undefined && runCount >= schedule.maxRuns) return undefined;
  if (isPastEnd(schedule, plannedAt)) return undefined;
  if (plannedAt >= now - LATE_GRACE_MS) return { at: plannedAt, missed: 0 };
  const following = recurrenceAfter(schedule, plannedAt);
  if (following === undefined || following > now || isPastEnd(schedule, following)) return { at: plannedAt, missed: 0 };
  return skipForward(schedule, following, 1, now);
}

/**
 * `firstMissed` (≤ now) was not run. Counts the missed occurrences in [firstMissed, now] that are
 * before runUntil, then skips forward or catches up.
 */
function skipForward(schedule: RecurringSchedule, firstMissed: number, alreadyMissed: number, now: number): NextRun | undefined {
  const limit = schedule.runUntil === undefined ? now : Math.min(now, schedule.runUntil - 1);
  const { count, last } = countMissed(schedule, firstMissed, limit);
  const missed = alreadyMissed + count;
  if (schedule.catchUp === 'last') return { at: last, missed: missed - 1 };
  const next = recurrenceAfter(schedule, now);
  if (next === undefined || isPastEnd(schedule, next)) return undefined;
  return { at: next, missed };
}

/** Occurrences in [first, limit] (first is one): how many (capped) and the last one. */
function countMissed(schedule: RecurringSchedule, first: number, limit: number): { count: number; last: number } {
  const rule = schedule.rule;
  if (rule.kind === 'interval') {
    return { count: intervalCount(rule, first, limit), last: intervalAtOrBefore(rule, limit) };
  }
  let count = 1;
  let last = first;
  while (count < MISSED_COUNT_LIMIT) {
    const next = occurrenceAfter(schedule, last);
    if (next === undefined || next > limit) return { count, last };
    count++;
    last = next;
  }
  return { count, last: lastAtOrBefore(schedule, last, limit) };
}

/** Last occurrence in (lower, limit], or `lower` when there is none; searched in growing windows. */
function lastAtOrBefore(schedule: RecurringSchedule, lower: number, limit: number): number {
  for (let window = 60_000; ; window *= 16) {
    const start = Math.max(lower, limit - window);
    let found: number | undefined;
    for (let t = occurrenceAfter(schedule, start); t !== undefined && t <= limit; t = occurrenceAfter(schedule, t)) found = t;
    if (found !== undefined) return found;
    if (start === lower) return lower;
  }
}

/**
 * Up to `count` run instants strictly after `from`, in order, honouring maxRuns (the initial run
 * counts) and runUntil. The initial run is listed when it is at or after `from`.
 */
export function listOccurrences(schedule: RecurringSchedule, from: number, count: number): number[] {
  const out: number[] = [];
  let runs = 0;
  let cursor = from;
  const initial = schedule.initialRun;
  if (initial !== undefined) {
    runs = 1;
    if (initial >= from) {
      if (isPastEnd(schedule, initial)) return out;
      if (count > 0) out.push(initial);
      cursor = initial;
    }
  }
  while (out.length < count && (schedule.maxRuns === undefined || runs < schedule.maxRuns)) {
    const next = recurrenceAfter(schedule, cursor);
    if (next === undefined || isPastEnd(schedule, next)) break;
    out.push(next);
    runs++;
    cursor = next;
  }
  return out;
}

function isPastEnd(schedule: RecurringSchedule, at: number): boolean {
  return schedule.runUntil !== undefined && at >= schedule.runUntil;
}

function checkTimes(options: { scheduledAt: number; now: number; runCount: number }): {
  scheduledAt: number;
  now: number;
  runCount: number;
} {
  const { scheduledAt, now, runCount } = options;
  if (!Number.isFinite(scheduledAt) || !Number.isFinite(now)) {
    throw new InvalidScheduleError(`scheduledAt and now must be epoch milliseconds; received ${scheduledAt} and ${now}.`);
  }
  if (!Number.isInteger(runCount) || runCount < 0) {
    throw new InvalidScheduleError(`runCount must be an integer ≥ 0 (runs executed so far); received ${runCount}.`);
  }
  return options;
}
