/** English for cron expressions, from what they select (so `0/30`, `*\/30` and `0,30` read alike). */
import { parseCron } from './cron-syntax.js';
import type { CronSyntax } from './cron-syntax.js';
import type { CronRule } from './schedule-spec.js';
import { describeWeekdays, every, formatTimeOfDay, joinAnd, MONTH_NAMES, ordinal, WEEKDAY_NAMES } from './schedule-values.js';

/** How many run times a day are listed one by one ("at 09:00, 13:00 and 17:00"). */
const MAX_LISTED_TIMES = 4;
/** How many days of the month are listed one by one. */
const MAX_LISTED_DAYS = 6;
const NTH = ['', 'first', 'second', 'third', 'fourth', 'fifth'];

/** Times of day: a rhythm ("every 5 minutes") or a list ("at 09:00"). */
type Times = { readonly kind: 'every' | 'at'; readonly text: string };
/**
 * Days: none (every day), or a phrase that reads before the time (`dayFirst`) or after it, and a
 * condition put last (", if it is a Friday").
 */
type Days = { readonly text: string; readonly dayFirst: boolean; readonly condition?: string } | 'every day';

/**
 * English for a cron rule, e.g. "every 5 minutes", "at 09:00 on weekdays", "on the last weekday of
 * every month at 18:00"; undefined when the expression is better shown as is.
 */
export function describeCron(rule: CronRule): string | undefined {
  let syntax: CronSyntax;
  try {
    syntax = parseCron(rule.expression);
  } catch {
    return undefined;
  }
  const times = describeTimes(syntax);
  const days = describeDays(syntax, rule.dayMatch === 'and');
  if (times === undefined || days === undefined) return undefined;
  const monthNames = joinAnd(syntax.months.map((m) => MONTH_NAMES[m - 1] as string));
  let months = syntax.months.length === 12 ? '' : ` in ${monthNames}`;
  if (days === 'every day') return `${times.kind === 'at' ? `every day ${times.text}` : times.text}${months}`;
  let dayText = days.text;
  if (months !== '' && dayText.includes(' of every month')) {
    dayText = dayText.replace(' of every month', ` of ${monthNames}`); // "on the 1st of January and July"
    months = '';
  }
  const condition = days.condition === undefined ? '' : `, if it is ${days.condition}`;
  return `${days.dayFirst ? `${dayText} ${times.text}` : `${times.text} ${dayText}`}${months}${condition}`;
}

/** The step of `values` when they are 0, step, 2 × step … and step divides `size`. */
function stepOf(values: readonly number[], size: number): number | undefined {
  const step = values[1];
  if (step === undefined || values[0] !== 0 || size % step !== 0 || values.length !== size / step) return undefined;
  return values.every((value, index) => value === index * step) ? step : undefined;
}

/** First and last of `values` (0 to size - 1) when they run on without a gap, maybe wrapping around; not all. */
function runOf(values: readonly number[], size: number): [number, number] | undefined {
  if (values.length < 2 || values.length === size) return undefined;
  const set = new Set(values);
  const first = values.find((value) => !set.has((value + size - 1) % size));
  if (first === undefined) return undefined;
  for (let i = 0; i < values.length; i++) if (!set.has((first + i) % size)) return undefined;
  return [first, (first + values.length - 1) % size];
}

function describeTimes({ seconds, minutes, hours }: CronSyntax): Times | undefined {
  const second = seconds.length === 1 ? (seconds[0] as number) : undefined;
  const minute = minutes.length === 1 ? (minutes[0] as number) : undefined;
  const atSecond = second ? ` at second ${second}` : '';
  if (hours.length === 24 && minutes.length === 60) {
    const step = stepOf(seconds, 60);
    if (step !== undefined) return { kind: 'every', text: every(step, 'second') };
    if (second !== undefined) return { kind: 'every', text: `every minute${atSecond}` };
  }
  if (hours.length === 24 && second !== undefined) {
    const step = stepOf(minutes, 60);
    if (step !== undefined) return { kind: 'every', text: `${every(step, 'minute')}${atSecond}` };
  }
  if (second === 0 && minute !== undefined) {
    const step = stepOf(hours, 24);
    if (step !== undefined) return { kind: 'every', text: `${every(step, 'hour')}${minute ? ` at minute ${minute}` : ''}` };
    const run = hours.length >= 3 ? runOf(hours, 24) : undefined;
    if (run !== undefined) {
      const [from, to] = run.map((hour) => formatTimeOfDay(hour * 3600 + minute * 60));
      return { kind: 'every', text: `every hour from ${from} to ${to}` };
    }
  }
  if (seconds.length * minutes.length * hours.length > MAX_LISTED_TIMES) return undefined;
  const list: number[] = [];
  for (const h of hours) for (const m of minutes) for (const s of seconds) list.push(h * 3600 + m * 60 + s);
  return { kind: 'at', text: `at ${joinAnd(list.map(formatTimeOfDay))}` };
}

function describeDays(syntax: CronSyntax, and: boolean): Days | undefined {
  const monthDays = describeMonthDays(syntax);
  const weekdays = describeWeekdayField(syntax);
  if (monthDays === null || weekdays === null) return undefined;
  if (monthDays === undefined && weekdays === undefined) return 'every day';
  if (weekdays === undefined) return { text: monthDays as string, dayFirst: true };
  if (monthDays === undefined) return { text: weekdays.text, dayFirst: weekdays.ofMonth };
  if (and || syntax.monthDayStar || syntax.weekdayStar) return { text: monthDays, dayFirst: true, condition: weekdays.condition };
  return { text: `${monthDays} and ${weekdays.text}`, dayFirst: false };
}

/** The day-of-month phrase; undefined when not restricted, null when too long to read. */
function describeMonthDays(syntax: CronSyntax): string | undefined | null {
  const special = syntax.monthDaySpecial;
  if (special?.kind === 'nearest') return `on the weekday nearest the ${ordinal(special.day)} of every month`;
  if (special?.kind === 'last') {
    const day = special.offset === 0 ? 'the last day' : `${special.offset} day${special.offset === 1 ? '' : 's'} before the last day`;
    if (special.weekday) return special.offset === 0 ? 'on the last weekday of every month' : `on the weekday nearest ${day} of every month`;
    return special.offset === 0 ? `on ${day} of every month` : `${day} of every month`;
  }
  if (syntax.monthDayStar && syntax.monthDays.length === 31) return undefined;
  if (syntax.monthDays.length > MAX_LISTED_DAYS) return null;
  return `on the ${joinAnd(syntax.monthDays.map(ordinal))} of every month`;
}

/** The day-of-week phrase; undefined when not restricted, null when too long to read. */
function describeWeekdayField(syntax: CronSyntax): { text: string; condition: string; ofMonth: boolean } | undefined | null {
  const special = syntax.weekdaySpecial;
  if (special !== undefined) {
    const which = `the ${special.kind === 'last' ? 'last' : NTH[special.nth]} ${WEEKDAY_NAMES[special.weekday] as string}`;
    return { text: `on ${which} of every month`, condition: `${which} of the month`, ofMonth: true };
  }
  if (syntax.weekdayStar && syntax.weekdays.length === 7) return undefined;
  const names = syntax.weekdays.map((day) => WEEKDAY_NAMES[day] as string);
  const condition = `a ${names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1] as string}`}`;
  const run = runOf(syntax.weekdays, 7);
  const plain = describeWeekdays(syntax.weekdays);
  const named = plain === 'weekdays' || plain === 'weekends' || run === undefined || syntax.weekdays.length < 3;
  return { text: `on ${named ? plain : `${WEEKDAY_NAMES[run[0]] as string} to ${WEEKDAY_NAMES[run[1]] as string}`}`, condition, ofMonth: false };
}
