/** English descriptions of schedules, stored with recurring tasks for the dashboard. */
import { describeCron } from './cron-description.js';
import type { CalendarRule, IntervalRule, RecurringSchedule } from './schedule-spec.js';
import { describeWeekdays, every, formatTimeOfDay, joinAnd, MONTH_NAMES, ordinal, WEEKDAY_NAMES } from './schedule-values.js';

/**
 * Describes a schedule, e.g. "every day at 03:00 (Europe/Rome)", "every 5 minutes",
 * "on the last Friday of every month at 18:00 (America/New_York)". Wall-clock schedules name their
 * zone unless it is UTC. Limits and the initial run follow after a semicolon.
 */
export function describe(schedule: RecurringSchedule): string {
  const rule = schedule.rule;
  const zone = schedule.timeZone === 'UTC' ? '' : ` (${schedule.timeZone})`;
  let text: string;
  switch (rule.kind) {
    case 'interval':
      text = describeInterval(rule) + (rule.unit === 'hour' && zone ? zone : '');
      break;
    case 'calendar':
      text = describeCalendar(rule) + zone;
      break;
    case 'cron':
      text = (describeCron(rule) ?? `cron ${rule.expression}`) + zone;
      break;
  }
  const extras: string[] = [];
  if (schedule.initialRun !== undefined) extras.push(`first run at ${iso(schedule.initialRun)}`);
  if (schedule.maxRuns !== undefined) extras.push(`at most ${schedule.maxRuns} run${schedule.maxRuns === 1 ? '' : 's'}`);
  if (schedule.runUntil !== undefined) extras.push(`until ${iso(schedule.runUntil)}`);
  if (schedule.catchUp === 'last') extras.push('catches up the last missed run');
  return extras.length === 0 ? text : `${text}; ${extras.join(', ')}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function describeInterval(rule: IntervalRule): string {
  const base = every(rule.every, rule.unit);
  if (rule.unit === 'minute' && rule.atSecond) return `${base} at second ${rule.atSecond}`;
  if (rule.unit === 'hour' && rule.atMinute) return `${base} at minute ${rule.atMinute}`;
  return base;
}

function describeCalendar(rule: CalendarRule): string {
  const at = `at ${joinAnd(rule.times.map(formatTimeOfDay))}`;
  const months = rule.months ? ` in ${joinAnd(rule.months.map((m) => MONTH_NAMES[m - 1] as string))}` : '';
  switch (rule.unit) {
    case 'day':
      if (rule.weekdays && rule.every === 1) return `${at} on ${describeWeekdays(rule.weekdays)}${months}`;
      if (rule.weekdays) return `${every(rule.every, 'day')} ${at}, only on ${describeWeekdays(rule.weekdays)}${months}`;
      return `${every(rule.every, 'day')} ${at}${months}`;
    case 'week': {
      const days = describeWeekdays(rule.weekdays ?? [1]);
      if (rule.every === 1) return `${at} on ${days}${months}`;
      return `${every(rule.every, 'week')} on ${days} ${at}${months}`;
    }
    case 'month': {
      const period = rule.every === 1 ? 'every month' : `every ${rule.every} months`;
      const nth = rule.weekdayOfMonth;
      const on = nth
        ? `on the ${nth.nth} ${WEEKDAY_NAMES[nth.weekday] as string}`
        : `on the ${joinAnd((rule.monthDays ?? [1]).map((d) => (d === 31 ? 'last day' : ordinal(d))))}`;
      return `${on} of ${period} ${at}${months}`;
    }
  }
}
