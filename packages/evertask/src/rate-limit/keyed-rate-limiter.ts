import { InvalidArgumentError } from '../errors.js';
import { toMilliseconds, type Duration } from '../duration.js';
import { checkOptionsObject, optionKeys } from '../option-keys.js';

/** A task's rate limit: at most `permits` starts per `period`, per key. */
export interface RateLimitOptions<P = unknown> {
  /** Starts allowed per period. */
  permits: number;
  /** Length of the period (ms or a duration string). */
  period: Duration;
  /** Starts allowed back to back before spacing applies. @defaultValue permits */
  burst?: number;
  /**
   * The budget's key, from the payload (e.g. the customer id): each key has its own budget.
   * Returning undefined or '' puts the task in the shared budget of its task name.
   * @defaultValue one budget per task name
   */
  key?: (payload: P) => string | undefined;
  /**
   * Longest wait a task may be given; a task whose slot is further away fails with
   * `RateLimitedError`. @defaultValue '1h'
   */
  maxWait?: Duration;
}

const RATE_LIMIT_KEYS = optionKeys<RateLimitOptions>({ permits: true, period: true, burst: true, key: true, maxWait: true });

export interface ResolvedRateLimit {
  intervalMs: number;
  toleranceMs: number;
  maxWaitMs: number;
  key: ((payload: unknown) => string | undefined) | undefined;
}

export function resolveRateLimit(name: string, options: RateLimitOptions<never>): ResolvedRateLimit {
  if (!options || typeof options !== 'object') throw new InvalidArgumentError(`Task "${name}": rateLimit must be an object { permits, period }.`);
  checkOptionsObject(options, RATE_LIMIT_KEYS, `Task "${name}": rateLimit`);
  const { permits } = options;
  if (!Number.isFinite(permits) || permits <= 0) {
    throw new InvalidArgumentError(`Task "${name}": rateLimit.permits must be a positive number; received ${String(permits)}.`);
  }
  const periodMs = toMilliseconds(options.period, `Task "${name}": rateLimit.period`);
  if (periodMs <= 0) throw new InvalidArgumentError(`Task "${name}": rateLimit.period must be longer than 0.`);
  const burst = options.burst ?? Math.max(1, Math.floor(permits));
  if (!Number.isInteger(burst) || burst < 1) {
    throw new InvalidArgumentError(`Task "${name}": rateLimit.burst must be a positive integer; received ${String(burst)}.`);
  }
  if (options.key !== undefined && typeof options.key !== 'function') {
    throw new InvalidArgumentError(`Task "${name}": rateLimit.key must be a function (payload) => string.`);
  }
  const intervalMs = periodMs / permits;
  return {
    intervalMs,
    toleranceMs: intervalMs * (burst - 1),
    maxWaitMs: toMilliseconds(options.maxWait ?? '1h', `Task "${name}": rateLimit.maxWait`),
    key: options.key as ((payload: unknown) => string | undefined) | undefined,
  };
}

export type RateDecision = { ok: true } | { ok: false; retryAt: number; rejected: boolean };

const MAX_TRACKED_KEYS = 100_000;

/**
 * Keyed GCRA (generic cell rate algorithm) limiter, in this process. Each (task, key) has a
 * theoretical arrival time; a start conforms when `now ≥ tat − tolerance`. A task over budget
 * gets a reserved slot, and when it comes back at that slot it starts without taking budget
 * again (idempotent redemption by task id).
 */
export class KeyedRateLimiter {
  #tat = new Map<string, number>();
  #reservations = new Map<string, number>();

  acquire(bucket: string, taskId: string, limit: ResolvedRateLimit, now: number): RateDecision {
    const reserved = this.#reservations.get(taskId);
    if (reserved !== undefined) {
      if (now >= reserved) {
        this.#reservations.delete(taskId);
        return { ok: true };
      }
      return { ok: false, retryAt: reserved, rejected: false };
    }
    if (!this.#tat.has(bucket) && this.#tat.size >= MAX_TRACKED_KEYS) return { ok: true }; // fail open
    const tat = Math.max(this.#tat.get(bucket) ?? now, now - limit.toleranceMs);
    if (now >= tat - limit.toleranceMs) {
      this.#tat.set(bucket, Math.max(now, tat) + limit.intervalMs);
      return { ok: true };
    }
    const slot = Math.ceil(tat - limit.toleranceMs);
    if (slot - now > limit.maxWaitMs) return { ok: false, retryAt: slot, rejected: true };
    this.#tat.set(bucket, tat + limit.intervalMs);
    this.#reservations.set(taskId, slot);
    return { ok: false, retryAt: slot, rejected: false };
  }

  /** Forgets a reservation (task cancelled). */
  release(taskId: string): void {
    this.#reservations.delete(taskId);
  }

  get trackedKeys(): number {
    return this.#tat.size;
  }
}
