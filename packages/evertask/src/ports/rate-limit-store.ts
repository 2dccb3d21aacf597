/**
 * One acquisition of a start under a keyed rate limit (GCRA). The engine fills every field; a
 * store applies the arithmetic of `evertask`'s `applyGcra` exactly.
 */
export interface RateLimitRequest {
  /** The policy the budget belongs to (the task name). */
  policyKey: string;
  /** The budget's key within the policy ('' for the policy's shared budget). */
  key: string;
  /** The task id: a reservation booked for it is redeemed by the same id. */
  reservationId: string;
  /** The caller's time (epoch ms); stores never read their own clock. */
  now: number;
  /** Emission interval T = period / permits (ms, may be fractional). */
  intervalMs: number;
  /** Tolerance tau = T × (burst − 1) (ms). */
  toleranceMs: number;
  /** Longest wait that may be booked: a slot further than `now + horizonMs` is rejected. */
  horizonMs: number;
  /** A key seen for the first time starts with no burst (TAT = now + tau). */
  startEmpty: boolean;
}

/** The answer to one {@link RateLimitRequest}. */
export interface RateLimitDecision {
  /** True: start now (conforming, or a reservation redeemed at or after its slot). */
  acquired: boolean;
  /**
   * When not acquired: the reserved slot (epoch ms, whole) — or, when `rejected`, the slot that
   * would have been booked. When acquired: `now`, or the redeemed reservation's slot.
   */
  slotAt: number;
  /** The slot is beyond the horizon: nothing was booked, the task should not wait. */
  rejected: boolean;
}

/** One tracked budget, for the monitor. */
export interface RateLimitKeyState {
  policyKey: string;
  key: string;
  /** The earliest time a new, unreserved start conforms (TAT − tau, whole ms). */
  nextSlotAt: number;
  /** Reservations booked and not yet redeemed or released (tasks parked for this key). */
  reserved: number;
}

/** What {@link RateLimitStore.introspect} reports. */
export interface RateLimitIntrospection {
  /** Budgets tracked (distinct policy and key pairs). */
  trackedKeys: number;
  /** Reservations not yet redeemed or released: the tasks parked for a slot, in every process. */
  reserved: number;
  /** The tracked budgets, earliest next slot first (at most `limit`). */
  keys: RateLimitKeyState[];
}

/**
 * Keyed rate-limit budgets with reservations (an optional storage role, `TaskStorage.rateLimits`).
 * Every process on the storage draws from the same budgets. Contract, proven by the conformance
 * suite (`testing/storage-conformance/rate-limits.ts`):
 *
 * - GCRA per (policyKey, key): a fresh key has TAT = now (now + tau with `startEmpty`); a request
 *   conforms when `now ≥ TAT − tau` (then TAT = max(now, TAT) + T); otherwise its slot is
 *   ceil(TAT − tau): beyond `now + horizonMs` it is rejected and nothing changes, else a
 *   reservation {slot} is booked under `reservationId` and TAT += T. Slots per key never decrease.
 * - Idempotent redemption: a request whose `reservationId` holds a reservation takes no new budget
 *   — at or after the slot it is acquired (and the reservation is consumed), before it the same
 *   slot comes back.
 * - `acquire` handles the requests of a batch in order, atomically per request, in one round trip
 *   where the database allows; it never waits for a slot.
 * - `release` drops a reservation (a cancelled parked task); when it was the newest of its key the
 *   key's TAT goes back by T, so the slot is given to the next task.
 */
export interface RateLimitStore {
  acquire(requests: readonly RateLimitRequest[]): Promise<RateLimitDecision[]>;
  /** Drops the reservation of `reservationId`; unknown ids are not an error. */
  release(reservationId: string): Promise<void>;
  /** The tracked budgets (up to `limit`, default 100) and the count of reservations. */
  introspect(limit?: number): Promise<RateLimitIntrospection>;
}
