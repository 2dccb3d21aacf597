import type { StoredTask } from '../ports/task-record.js';
import type { RecurringBuilder } from './schedule-builder.js';
import type { NextRun } from './next-occurrence.js';
import type { RecurringSchedule } from './schedule-spec.js';
import { InvalidScheduleError } from '../errors.js';
import { buildSchedule } from './build-schedule.js';
import { describe } from './schedule-description.js';
import { firstOccurrence, nextOccurrence, occurrenceAfter, resumeOccurrence, LATE_GRACE_MS } from './next-occurrence.js';
import { parseSchedule, serializeSchedule } from './schedule-spec.js';

/** What the engine stores for a new recurring series. */
export interface RecurringRegistration {
  schedule: RecurringSchedule;
  /** Stored schedule JSON. */
  text: string;
  /** Stored schedule JSON without the initial run: equal texts mean the same recurrence. */
  identity: string;
  description: string;
  /** First run (past = run now). */
  first: number;
}

/** Builds, validates and describes a schedule for dispatch. Throws `InvalidScheduleError`. */
export function registerSchedule(recurring: RecurringBuilder, now: number): RecurringRegistration {
  const schedule = buildSchedule(recurring, now);
  const first = firstOccurrence(schedule, now);
  if (first === undefined) {
    throw new InvalidScheduleError('The schedule never fires: its first occurrence is at or after runUntil.');
  }
  return { schedule, text: serializeSchedule(schedule), identity: scheduleIdentity(schedule), description: describe(schedule), first };
}

export function scheduleIdentity(schedule: RecurringSchedule): string {
  const { initialRun: _initialRun, ...rest } = schedule;
  return JSON.stringify(rest);
}

/** The stored schedule of a recurring task; throws `InvalidScheduleError` for a corrupt row. */
export function storedSchedule(task: StoredTask): RecurringSchedule {
  if (task.recurring === null) throw new InvalidScheduleError(`Task ${task.id} is not recurring.`);
  let schedule = parsedSchedules.get(task.recurring);
  if (schedule === undefined) {
    schedule = parseSchedule(task.recurring);
    if (parsedSchedules.size >= PARSED_CACHE_SIZE) parsedSchedules.clear();
    parsedSchedules.set(task.recurring, schedule);
  }
  return schedule;
}

/**
 * Parsed schedules by stored text: each run of a series reads its schedule, and series registered
 * together share one text. Schedules are read-only, so sharing one object is safe.
 */
const parsedSchedules = new Map<string, RecurringSchedule>();
const PARSED_CACHE_SIZE = 1000;

/** The next run after the occurrence that just ran (`runCount` includes it). */
export function nextRunAfter(task: StoredTask, schedule: RecurringSchedule, finishedAt: number, runCount: number): NextRun | undefined {
  return nextOccurrence(schedule, { scheduledAt: task.scheduledAt ?? task.dueAt ?? finishedAt, now: finishedAt, runCount });
}

/**
 * For a fresh occurrence picked up late (downtime): run it now, skip forward, or end the series.
 * Returns undefined when it is on time (run as planned).
 */
export function lateOccurrence(task: StoredTask, schedule: RecurringSchedule, now: number): { run: boolean; next: NextRun | undefined } | undefined {
  const planned = task.scheduledAt ?? task.dueAt;
  if (planned === null || planned >= now - LATE_GRACE_MS) return undefined;
  // due later than planned: an occurrence parked for a rate-limit slot, on time for that slot
  if (task.dueAt !== null && task.dueAt > planned && task.dueAt >= now - LATE_GRACE_MS) return undefined;
  const next = resumeOccurrence(schedule, { plannedAt: planned, now, runCount: task.runCount });
  if (next === undefined) return { run: false, next: undefined };
  return { run: next.at <= now, next };
}

/**
 * Next occurrence for a re-registered series (the initial run is not applied again), keeping its
 * run count; undefined when the series has nothing left.
 */
export function reRegisteredNext(schedule: RecurringSchedule, now: number, runCount: number): number | undefined {
  if (schedule.maxRuns !== undefined && runCount >= schedule.maxRuns) return undefined;
  const next = occurrenceAfter(schedule, now);
  if (next === undefined || (schedule.runUntil !== undefined && next >= schedule.runUntil)) return undefined;
  return next;
}
