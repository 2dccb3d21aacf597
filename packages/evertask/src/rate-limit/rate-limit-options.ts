import { InvalidArgumentError } from '../errors.js';
import { toMilliseconds, type Duration } from '../duration.js';
import { checkOptionsObject, optionKeys } from '../option-keys.js';
import { describeValue } from '../describe-value.js';

/** What happens to a task over its budget. */
export type RateLimitOverflow = 'wait' | 'discard';

/**
 * A task's rate limit: at most `permits` starts per `period`, per key (GCRA). With a storage that
 * has the `rateLimits` role (PostgreSQL, MySQL) the budget is shared by every process on it; else
 * it is per process.
 */
export interface RateLimitOptions<P = unknown> {
  /** Starts allowed per period (> 0). */
  permits: number;
  /** Length of the period (ms or a duration string, > 0). */
  period: Duration;
  /** Starts allowed back to back before spacing applies (integer ≥ 1). @defaultValue permits (at least 1) */
  burst?: number;
  /**
   * The budget's key, from the payload (e.g. the customer id): each key has its own budget.
   * Returning undefined or '' puts the task in the shared budget of its task name. A key selector
   * that throws lets the task run unthrottled (fail-open, with a `rate-limit:fail-open` event).
   * @defaultValue one budget per task name
   */
  key?: (payload: P) => string | undefined;
  /**
   * Longest wait a task may be given (the reservation horizon); a task whose slot is further away
   * fails with `RateLimitRejectedError` (a recurring occurrence is skipped). @defaultValue '1h'
   */
  maxWait?: Duration;
  /** A key seen for the first time starts without its burst (one start, then spacing). @defaultValue false */
  startEmpty?: boolean;
  /**
   * Over budget: `'wait'` parks the task (`waiting`, due at its slot, no worker held);
   * `'discard'` fails it at once with `RateLimitRejectedError`. @defaultValue 'wait'
   */
  onExceeded?: RateLimitOverflow;
  /** Retries take budget too (each attempt re-acquires). @defaultValue true */
  retries?: boolean;
}

const RATE_LIMIT_KEYS = optionKeys<RateLimitOptions>({
  permits: true,
  period: true,
  burst: true,
  key: true,
  maxWait: true,
  startEmpty: true,
  onExceeded: true,
  retries: true,
});

/** A rate limit with its defaults filled in and its GCRA parameters computed. */
export interface ResolvedRateLimit {
  /** Emission interval T = period / permits. */
  intervalMs: number;
  /** Tolerance tau = T × (burst − 1). */
  toleranceMs: number;
  /** The period in ms. */
  periodMs: number;
  maxWaitMs: number;
  startEmpty: boolean;
  onExceeded: RateLimitOverflow;
  retries: boolean;
  key: ((payload: unknown) => string | undefined) | undefined;
}

function checkFlag(name: string, option: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new InvalidArgumentError(`Task "${name}": rateLimit.${option} must be true or false; received ${describeValue(value)}.`);
  }
  return value;
}

export function resolveRateLimit(name: string, options: RateLimitOptions<never>): ResolvedRateLimit {
  if (!options || typeof options !== 'object') throw new InvalidArgumentError(`Task "${name}": rateLimit must be an object { permits, period }.`);
  checkOptionsObject(options, RATE_LIMIT_KEYS, `Task "${name}": rateLimit`);
  const { permits } = options;
  if (typeof permits !== 'number' || !Number.isFinite(permits) || permits <= 0) {
    throw new InvalidArgumentError(`Task "${name}": rateLimit.permits must be a positive number; received ${describeValue(permits)}.`);
  }
  const periodMs = toMilliseconds(options.period, `Task "${name}": rateLimit.period`);
  if (periodMs <= 0) throw new InvalidArgumentError(`Task "${name}": rateLimit.period must be longer than 0.`);
  const burst = options.burst ?? Math.max(1, Math.floor(permits));
  if (!Number.isInteger(burst) || burst < 1) {
    throw new InvalidArgumentError(`Task "${name}": rateLimit.burst must be a positive integer; received ${describeValue(burst)}.`);
  }
  if (options.key !== undefined && typeof options.key !== 'function') {
    throw new InvalidArgumentError(`Task "${name}": rateLimit.key must be a function (payload) => string.`);
  }
  const onExceeded = options.onExceeded ?? 'wait';
  if (onExceeded !== 'wait' && onExceeded !== 'discard') {
    throw new InvalidArgumentError(`Task "${name}": rateLimit.onExceeded must be 'wait' or 'discard'; received ${describeValue(onExceeded)}.`);
  }
  const maxWaitMs = toMilliseconds(options.maxWait ?? '1h', `Task "${name}": rateLimit.maxWait`);
  if (maxWaitMs < 0) throw new InvalidArgumentError(`Task "${name}": rateLimit.maxWait must not be negative; received ${describeValue(options.maxWait)}.`);
  const intervalMs = periodMs / permits;
  return {
    intervalMs,
    toleranceMs: intervalMs * (burst - 1),
    periodMs,
    maxWaitMs,
    startEmpty: checkFlag(name, 'startEmpty', options.startEmpty) ?? false,
    onExceeded,
    retries: checkFlag(name, 'retries', options.retries) ?? true,
    key: options.key as ((payload: unknown) => string | undefined) | undefined,
  };
}
