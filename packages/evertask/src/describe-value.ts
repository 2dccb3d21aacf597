const MAX_TEXT = 80;

function shorten(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

/**
 * A short rendering of any value for an error message: strings quoted (long ones cut at 80
 * characters), numbers, booleans, `null` and `undefined` as written, dates as ISO text, functions
 * and symbols by kind, anything else as (cut) JSON. Never throws.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(shorten(value));
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  try {
    const json = JSON.stringify(value);
    return json === undefined ? typeof value : shorten(json);
  } catch {
    return typeof value;
  }
}
