/** English descriptions of schedules, stored with recurring tasks for the dashboard. */
import type { CalendarRule, IntervalRule, RecurringSchedule } from './schedule-spec.js';
import { formatTimeOfDay, joinAnd, MONTH_NAMES, WEEKDAY_NAMES } from './schedule-values.js';

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
      text = (describeCron(rule.expression) ?? `cron ${rule.expression}`) + zone;
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

function every(n: number, unit: string): string {
  return n === 1 ? `every ${unit}` : `every ${n} ${unit}s`;
}

function describeInterval(rule: IntervalRule): string {
  const base = every(rule.every, rule.unit);
  if (rule.unit === 'minute' && rule.atSecond) return `${base} at second ${rule.atSecond}`;
  if (rule.unit === 'hour' && rule.atMinute) return `${base} at minute ${rule.atMinute}`;
  return base;
}

function weekdays(days: readonly number[]): string {
  const key = days.join(',');
  if (key === '1,2,3,4,5') return 'weekdays';
  if (key === '0,6') return 'weekends';
  return joinAnd(days.map((d) => WEEKDAY_NAMES[d] as string));
}

function ordinal(n: number): string {
  const suffix = n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

function describeCalendar(rule: CalendarRule): string {
  const at = `at ${joinAnd(rule.times.map(formatTimeOfDay))}`;
  const months = rule.months ? ` in ${joinAnd(rule.months.map((m) => MONTH_NAMES[m - 1] as string))}` : '';
  switch (rule.unit) {
    case 'day':
      if (rule.weekdays && rule.every === 1) return `${at} on ${weekdays(rule.weekdays)}${months}`;
      if (rule.weekdays) return `${every(rule.every, 'day')} ${at}, only on ${weekdays(rule.weekdays)}${months}`;
      return `${every(rule.every, 'day')} ${at}${months}`;
    case 'week': {
      const days = weekdays(rule.weekdays ?? [1]);
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

const CRON_WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** English for common cron shapes; undefined when the expression is better shown as is. */
export function describeCron(expression: string): string | undefined {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) return undefined;
  const [sec, min, hour, dom, month, dow] = (parts.length === 5 ? ['0', ...parts] : parts) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const num = (f: string, max: number): number | undefined => (/^\d{1,2}$/.test(f) && Number(f) <= max ? Number(f) : undefined);
  const step = (f: string): number | undefined => {
    const m = /^(?:\*|0)\/(\d+)$/.exec(f);
    return m ? Number(m[1]) : f === '*' ? 1 : undefined;
  };
  const anyDay = (dom === '*' || dom === '?') && month === '*' && (dow === '*' || dow === '?');
  const s = num(sec, 59);
  const m = num(min, 59);
  const h = num(hour, 23);
  if (anyDay) {
    const secStep = step(sec);
    if (min === '*' && hour === '*' && secStep !== undefined && 60 % secStep === 0) return every(secStep, 'second');
    const minStep = step(min);
    if (s === 0 && hour === '*' && minStep !== undefined && 60 % minStep === 0) return every(minStep, 'minute');
    const hourStep = step(hour);
    if (s === 0 && m !== undefined && hourStep !== undefined && 24 % hourStep === 0) {
      return m === 0 ? every(hourStep, 'hour') : `${every(hourStep, 'hour')} at minute ${m}`;
    }
  }
  if (s === undefined || m === undefined || h === undefined || month !== '*') return undefined;
  const at = `at ${formatTimeOfDay(h * 3600 + m * 60 + s)}`;
  if (anyDay) return `every day ${at}`;
  if ((dom === '*' || dom === '?') && dow !== '*') {
    const days = parseCronWeekdays(dow);
    return days ? `${at} on ${weekdays(days)}` : undefined;
  }
  if (dow === '*' || dow === '?') {
    if (dom === 'L') return `on the last day of every month ${at}`;
    const days = dom.split(',').map((d) => num(d, 31));
    if (days.every((d): d is number => d !== undefined && d >= 1)) return `on the ${joinAnd(days.map(ordinal))} of every month ${at}`;
  }
  return undefined;
}

function parseCronWeekdays(field: string): number[] | undefined {
  const out = new Set<number>();
  for (const item of field.toLowerCase().split(',')) {
    const range = item.split('-');
    const values = range.map((v) => (/^\d$/.test(v) ? Number(v) % 7 : CRON_WEEKDAYS.indexOf(v)));
    if (values.some((v) => v < 0) || values.length > 2) return undefined;
    const [from, to] = [values[0] as number, (values[1] ?? values[0]) as number];
    if (to < from && range.length === 2 && !(range[1] === '7')) return undefined;
    const end = range[1] === '7' ? 6 : to;
    for (let d = from; d <= end; d++) out.add(d);
    if (range[1] === '7' || (range.length === 1 && range[0] === '7')) out.add(0);
  }
  return [...out].sort((a, b) => a - b);
}
