import { InvalidArgumentError, NonRetryableError, TaskCancelledError } from '../errors.js';
import { toMilliseconds, type Duration } from '../duration.js';
import { checkOptionsObject, optionKeys } from '../option-keys.js';
import { describeValue } from '../describe-value.js';

/**
 * Decides whether and when a failed attempt is tried again. Throughout EverTask an *attempt* is
 * one execution (the first one included) and a *retry* is an attempt after a failure: a policy
 * allowing `maxAttempts` attempts retries up to `maxAttempts - 1` times. Retries are persisted and wait in
 * the scheduler: a task waiting to retry holds no worker slot and keeps its count across restarts.
 *
 * Implement this interface for a custom policy.
 */
export interface RetryPolicy {
  /** Attempts allowed in total, the first one included (1 = never retry). */
  readonly maxAttempts: number;
  /** Whether this error may be retried at all (checked before `delayBefore`). */
  shouldRetry(error: unknown): boolean;
  /** Milliseconds to wait before attempt `nextAttempt` (2 for the first retry). */
  delayBefore(nextAttempt: number, error: unknown): number;
}

/** An error class (a constructor of `Error` or a subclass) that a retry filter matches, subclasses included. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ErrorClass = abstract new (...args: any[]) => Error;

/** Which errors a `FilteredRetryPolicy` retries: `handle` (only these), `doNotHandle` (all but these), `when` (a predicate). */
export interface ErrorFilter {
  handle: readonly ErrorClass[];
  doNotHandle: readonly ErrorClass[];
  when?: (error: unknown) => boolean;
}

/**
 * A policy with exception filtering (reference §F). Evaluation order: `NonRetryableError` and
 * cancellations never retry; then `handleWhen`'s predicate when set; then the `handle` whitelist;
 * then the `doNotHandle` blacklist; otherwise every error is retried. Matching includes subclasses.
 */
export abstract class FilteredRetryPolicy implements RetryPolicy {
  abstract readonly maxAttempts: number;
  protected readonly filter: ErrorFilter;

  protected constructor(filter: ErrorFilter = { handle: [], doNotHandle: [] }) {
    this.filter = filter;
  }

  abstract delayBefore(nextAttempt: number, error: unknown): number;

  /** A copy of this policy with another filter. */
  protected abstract withFilter(filter: ErrorFilter): this;

  shouldRetry(error: unknown): boolean {
    if (error instanceof NonRetryableError || error instanceof TaskCancelledError) return false;
    const { when, handle, doNotHandle } = this.filter;
    if (when) return when(error);
    if (handle.length > 0) return handle.some((c) => error instanceof c);
    if (doNotHandle.length > 0) return !doNotHandle.some((c) => error instanceof c);
    return true;
  }

  /** Retry only errors of these classes (and their subclasses). */
  handle(...errors: ErrorClass[]): this {
    if (this.filter.doNotHandle.length > 0) {
      throw new InvalidArgumentError('A retry policy cannot both handle() and doNotHandle() errors; use one list, or handleWhen().');
    }
    return this.withFilter({ ...this.filter, handle: [...this.filter.handle, ...errors] });
  }

  /** Never retry errors of these classes (and their subclasses). */
  doNotHandle(...errors: ErrorClass[]): this {
    if (this.filter.handle.length > 0) {
      throw new InvalidArgumentError('A retry policy cannot both handle() and doNotHandle() errors; use one list, or handleWhen().');
    }
    return this.withFilter({ ...this.filter, doNotHandle: [...this.filter.doNotHandle, ...errors] });
  }

  /** Retry when the predicate returns true; wins over `handle`/`doNotHandle`. */
  handleWhen(predicate: (error: unknown) => boolean): this {
    if (typeof predicate !== 'function') throw new InvalidArgumentError('handleWhen() takes a function (error) => boolean.');
    return this.withFilter({ ...this.filter, when: predicate });
  }
}

class LinearRetryPolicy extends FilteredRetryPolicy {
  readonly maxAttempts: number;
  readonly #delays: readonly number[];

  constructor(retries: number, delays: readonly number[], filter?: ErrorFilter) {
    // linearRetry counts retries (as the .NET LinearRetryPolicy); maxAttempts counts attempts
    super(filter);
    this.maxAttempts = retries + 1;
    this.#delays = delays;
  }

  delayBefore(nextAttempt: number): number {
    const index = Math.min(Math.max(nextAttempt - 2, 0), this.#delays.length - 1);
    return this.#delays[index] ?? 0;
  }

  protected withFilter(filter: ErrorFilter): this {
    return new LinearRetryPolicy(this.maxAttempts - 1, this.#delays, filter) as this;
  }
}

/**
 * Retries up to `retries` times after the first failure — so up to `retries + 1` attempts, its
 * `maxAttempts` — waiting `delay` before each retry, or `delays[i]` before retry i (the last
 * delay repeats when `retries` exceeds the list).
 *
 * @example linearRetry(3, '500ms') // up to 4 attempts; linearRetry(3, [1000, 5000, 30000])
 */
export function linearRetry(retries: number, delay: Duration | readonly Duration[] = 500): FilteredRetryPolicy {
  if (!Number.isInteger(retries) || retries < 0) {
    throw new InvalidArgumentError(
      `linearRetry(retries, delay): retries must be a non-negative integer (retries after the first attempt: 3 means up to 4 attempts); received ${describeValue(retries)}.`,
    );
  }
  const list = Array.isArray(delay) ? delay : [delay as Duration];
  if (list.length === 0) throw new InvalidArgumentError('linearRetry delays must not be an empty list.');
  const delays = list.map((d, i) => toMilliseconds(d, `linearRetry delay[${i}]`));
  return new LinearRetryPolicy(retries, delays);
}

/** Options of `exponentialRetry`. */
export interface ExponentialRetryOptions {
  /**
   * Attempts in total, the first one included — the policy's `maxAttempts` (`attempts: 4` runs at
   * most 4 times: the first attempt and 3 retries). At least 1. @defaultValue 5
   */
  attempts?: number;
  /** Delay before the first retry; doubles each retry. @defaultValue 1000 */
  base?: Duration;
  /** Upper bound of a delay. @defaultValue '1h' */
  max?: Duration;
  /**
   * Randomisation: `true` or `'full'` waits a random time in [0, delay] (spreads retries of many
   * tasks); a number in [0, 1] randomises ±that fraction; `false` is exact. @defaultValue true
   */
  jitter?: boolean | 'full' | number;
}

class ExponentialRetryPolicy extends FilteredRetryPolicy {
  readonly maxAttempts: number;
  readonly #base: number;
  readonly #max: number;
  readonly #jitter: number | 'full';
  readonly #random: () => number;

  constructor(attempts: number, base: number, max: number, jitter: number | 'full', random: () => number, filter?: ErrorFilter) {
    super(filter);
    this.maxAttempts = attempts;
    this.#base = base;
    this.#max = max;
    this.#jitter = jitter;
    this.#random = random;
  }

  delayBefore(nextAttempt: number): number {
    const exact = Math.min(this.#max, this.#base * 2 ** Math.max(0, nextAttempt - 2));
    if (this.#jitter === 'full') return Math.round(this.#random() * exact);
    if (this.#jitter === 0) return exact;
    const spread = exact * this.#jitter;
    return Math.round(Math.min(this.#max, Math.max(0, exact - spread + this.#random() * 2 * spread)));
  }

  protected withFilter(filter: ErrorFilter): this {
    return new ExponentialRetryPolicy(this.maxAttempts, this.#base, this.#max, this.#jitter, this.#random, filter) as this;
  }
}

const EXPONENTIAL_KEYS = optionKeys<ExponentialRetryOptions>({ attempts: true, base: true, max: true, jitter: true });

/**
 * Up to `attempts` attempts in total, with exponentially growing delays before the retries:
 * `base`, `2·base`, `4·base`… capped at `max`, with jitter.
 *
 * @example exponentialRetry({ attempts: 4, base: '1s' }) // runs at most 4 times: waits 1 s, 2 s, 4 s
 */
export function exponentialRetry(options: ExponentialRetryOptions = {}, random: () => number = Math.random): FilteredRetryPolicy {
  checkOptionsObject(options, EXPONENTIAL_KEYS, 'exponentialRetry options');
  const attempts = options.attempts ?? 5;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new InvalidArgumentError(
      `exponentialRetry attempts (attempts in total, the first one included) must be an integer ≥ 1; received ${describeValue(attempts)}.`,
    );
  }
  const base = toMilliseconds(options.base ?? 1000, 'exponentialRetry base');
  const max = toMilliseconds(options.max ?? '1h', 'exponentialRetry max');
  if (max < base) throw new InvalidArgumentError(`exponentialRetry max (${max} ms) must be at least base (${base} ms).`);
  const j = options.jitter ?? true;
  let jitter: number | 'full';
  if (j === true || j === 'full') jitter = 'full';
  else if (j === false) jitter = 0;
  else if (typeof j === 'number' && j >= 0 && j <= 1) jitter = j;
  else throw new InvalidArgumentError(`exponentialRetry jitter must be a boolean, 'full' or a number in [0, 1]; received ${describeValue(j)}.`);
  return new ExponentialRetryPolicy(attempts, base, max, jitter, random);
}

class NoRetryPolicy extends FilteredRetryPolicy {
  readonly maxAttempts = 1;
  constructor() {
    super();
  }
  delayBefore(): number {
    return 0;
  }
  protected withFilter(): this {
    return this;
  }
}

/** Never retries: the first failure is final. */
export function noRetry(): RetryPolicy {
  return new NoRetryPolicy();
}

/** Checks a user-supplied policy; `what` names the option in the error. */
export function checkRetryPolicy(value: unknown, what: string): asserts value is RetryPolicy {
  const p = value as Partial<RetryPolicy> | undefined;
  if (
    !p ||
    typeof p !== 'object' ||
    typeof p.shouldRetry !== 'function' ||
    typeof p.delayBefore !== 'function' ||
    !Number.isInteger(p.maxAttempts) ||
    (p.maxAttempts as number) < 1
  ) {
    throw new InvalidArgumentError(
      `${what} must be a retry policy (linearRetry(), exponentialRetry(), noRetry() or an object with maxAttempts ≥ 1, shouldRetry() and delayBefore()).`,
    );
  }
}
