/**
 * Reads the times written in Cronos's tests (see cronos-facts.ts) as instants, the way its test
 * helpers read them: a local time takes the zone's standard offset when it is repeated or skipped
 * (as .NET's TimeZoneInfo.GetUtcOffset does); 'HH:mm' alone is on 2016-12-09. Offsets come from
 * Intl only, not from the code under test.
 */
const formats = new Map<string, Intl.DateTimeFormat>();

function offsetMinutes(zone: string, instant: number): number {
  let format = formats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    formats.set(zone, format);
  }
  const name = format.formatToParts(instant).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d\d):(\d\d)/.exec(name);
  return match === null ? 0 : (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

/** A Cronos test time as epoch ms; `round` is false when it has a fraction of a second. */
export function cronosTime(text: string, zone: string): { instant: number; round: boolean } {
  const value = text.trim();
  const withOffset = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)? ([+-])(\d\d):(\d\d)$/.exec(value);
  if (withOffset !== null) {
    const [, y, mo, d, h, mi, s, fraction, sign, oh, om] = withOffset as unknown as string[];
    const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
    const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
    const round = fraction === undefined || /^0+$/.test(fraction);
    return { instant: wall - offset * 60_000 + (round ? 0 : Math.floor(Number(`0.${fraction}`) * 1000)), round };
  }
  const local = /^(?:(\d{4})-(\d\d)-(\d\d))?\s*(?:(\d\d):(\d\d)(?::(\d\d))?)?$/.exec(value);
  if (local === null) throw new Error(`unreadable Cronos test time ${text}`);
  const [, y = '2016', mo = '12', d = '09', h = '0', mi = '0', s = '0'] = local.map((part) => part) as (string | undefined)[];
  const wall = new Date(0);
  wall.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  wall.setUTCHours(Number(h), Number(mi), Number(s), 0);
  const at = wall.getTime();
  const candidates = [offsetMinutes(zone, at - 86_400_000), offsetMinutes(zone, at + 86_400_000)];
  const valid = [...new Set(candidates)].filter((offset) => offsetMinutes(zone, at - offset * 60_000) === offset);
  const offset = valid.length === 1 ? (valid[0] as number) : Math.min(...candidates);
  return { instant: at - offset * 60_000, round: true };
}
