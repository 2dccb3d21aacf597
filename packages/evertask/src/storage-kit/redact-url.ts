import { describeValue } from '../describe-value.js';

/**
 * Renders a connection string (or any value) for an error message with the password hidden:
 * `mysql://app:s3cret@db/x` becomes `"mysql://app:***@db/x"`; a `password=` parameter is hidden too.
 * Never throws.
 */
export function describeConnectionString(value: unknown): string {
  if (typeof value !== 'string') return typeof value === 'object' && value !== null ? 'an object' : describeValue(value);
  const hidden = value.replace(/(\/\/[^/@:]*:)[^@/]*@/g, '$1***@').replace(/(password=)[^&;\s]*/gi, '$1***');
  return describeValue(hidden);
}
