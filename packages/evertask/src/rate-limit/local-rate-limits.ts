import type { RateLimitDecision, RateLimitIntrospection, RateLimitKeyState, RateLimitRequest, RateLimitStore } from '../ports/rate-limit-store.js';
import { RateLimitKeysExhaustedError } from '../errors.js';
import { applyGcra, isIdleBudget, rateLimitBudgetId, releasedTat } from './gcra.js';
import { checkIntrospectLimit, checkRateLimitRequests, checkReservationId } from '../storage-kit/rate-limit-checks.js';

/** Budgets an in-process store tracks at most; a new key beyond fails open. */
export const MAX_TRACKED_KEYS = 100_000;

/** Budgets looked at (and removed when idle) per acquisition, round robin over the map. */
const SWEEP_PER_REQUEST = 4;
/** Budgets looked at before a new key fails open at `MAX_TRACKED_KEYS`. */
const SWEEP_WHEN_FULL = 1_000;

/** Code-unit order (as a database's binary collation). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Bucket {
  policyKey: string;
  key: string;
  tat: number;
  toleranceMs: number;
  startEmpty: boolean;
  reserved: number;
}

interface Reservation {
  bucket: Bucket;
  slot: number;
  intervalMs: number;
}

/**
 * The rate-limit store of one process (`RateLimitStore`): the engine's default when the storage
 * has none, and `MemoryStorage.rateLimits`. Budgets are shared by the engines of this process only.
 * Each acquisition also looks at the next few budgets of a round robin over the map and removes
 * the idle ones (`isIdleBudget`), so a key not used for a while costs no memory.
 */
export class LocalRateLimits implements RateLimitStore {
  readonly #buckets = new Map<string, Bucket>();
  readonly #reservations = new Map<string, Reservation>();
  readonly #maxKeys: number;
  /** Where the round robin of the idle sweep is (restarted when it reaches the end). */
  #sweep: Iterator<[string, Bucket]> | undefined;

  constructor(maxKeys = MAX_TRACKED_KEYS) {
    this.#maxKeys = maxKeys;
  }

  acquire(requests: readonly RateLimitRequest[]): Promise<RateLimitDecision[]> {
    try {
      return Promise.resolve(checkRateLimitRequests(requests, 'rateLimits.acquire').map((request) => this.acquireNow(request)));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** One acquisition, synchronously. */
  acquireNow(request: RateLimitRequest): RateLimitDecision {
    const id = rateLimitBudgetId(request.policyKey, request.key);
    const reservation = this.#reservations.get(request.reservationId);
    this.#removeIdle(request.now, SWEEP_PER_REQUEST);
    let bucket = this.#buckets.get(id);
    if (bucket === undefined && reservation === undefined && this.#buckets.size >= this.#maxKeys) {
      this.#removeIdle(request.now, SWEEP_WHEN_FULL);
      if (this.#buckets.size >= this.#maxKeys) throw new RateLimitKeysExhaustedError(this.#maxKeys);
    }
    const outcome = applyGcra(request, bucket?.tat, reservation?.slot);
    if (bucket === undefined) {
      bucket = { policyKey: request.policyKey, key: request.key, tat: outcome.tat, toleranceMs: request.toleranceMs, startEmpty: request.startEmpty, reserved: 0 };
      this.#buckets.set(id, bucket);
    }
    bucket.tat = outcome.tat;
    bucket.toleranceMs = request.toleranceMs;
    bucket.startEmpty = request.startEmpty;
    if (outcome.redeemed && reservation) {
      this.#reservations.delete(request.reservationId);
      reservation.bucket.reserved--;
    }
    if (outcome.reserve !== undefined) {
      this.#reservations.set(request.reservationId, { bucket, slot: outcome.reserve, intervalMs: request.intervalMs });
      bucket.reserved++;
    }
    return outcome.decision;
  }

  /** Looks at up to `count` budgets, round robin, and removes those idle at `now`. */
  #removeIdle(now: number, count: number): void {
    for (let seen = 0; seen < count && this.#buckets.size > 0; seen++) {
      let next = this.#sweep?.next();
      if (next === undefined || next.done === true) {
        this.#sweep = this.#buckets.entries();
        next = this.#sweep.next();
      }
      if (next.done === true) return;
      const [id, bucket] = next.value;
      if (isIdleBudget(bucket, now)) this.#buckets.delete(id);
    }
  }

  release(reservationId: string): Promise<void> {
    try {
      checkReservationId(reservationId, 'rateLimits.release');
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const reservation = this.#reservations.get(reservationId);
    if (reservation !== undefined) {
      this.#reservations.delete(reservationId);
      const { bucket } = reservation;
      bucket.reserved--;
      bucket.tat = releasedTat(bucket.tat, reservation.slot, reservation.intervalMs, bucket.toleranceMs);
    }
    return Promise.resolve();
  }

  introspect(limit?: number): Promise<RateLimitIntrospection> {
    let count: number;
    try {
      count = checkIntrospectLimit(limit, 'rateLimits.introspect');
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const keys: RateLimitKeyState[] = [...this.#buckets.values()]
      .map((b) => ({ policyKey: b.policyKey, key: b.key, nextSlotAt: Math.ceil(b.tat - b.toleranceMs), reserved: b.reserved }))
      .sort((a, b) => a.nextSlotAt - b.nextSlotAt || compareText(a.policyKey, b.policyKey) || compareText(a.key, b.key))
      .slice(0, count);
    return Promise.resolve({ trackedKeys: this.#buckets.size, reserved: this.#reservations.size, keys });
  }
}
