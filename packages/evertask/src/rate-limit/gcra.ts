import type { RateLimitDecision, RateLimitRequest } from '../ports/rate-limit-store.js';

/** What one GCRA step leaves behind: the key's new TAT and the reservation change. */
export interface GcraOutcome {
  decision: RateLimitDecision;
  /** The key's theoretical arrival time after the step (unchanged when nothing was taken). */
  tat: number;
  /** A reservation to book under the request's id (its slot). */
  reserve?: number;
  /** The request's existing reservation was redeemed: delete it. */
  redeemed?: boolean;
}

/**
 * One GCRA step, the arithmetic every rate-limit store applies (see `RateLimitStore`). `tat` is
 * the key's stored theoretical arrival time (undefined for a key never seen), `reserved` the slot
 * already booked under the request's reservation id (undefined when none).
 */
export function applyGcra(request: RateLimitRequest, tat: number | undefined, reserved: number | undefined): GcraOutcome {
  const { now, intervalMs, toleranceMs } = request;
  const current = tat ?? (request.startEmpty ? now + toleranceMs : now);
  if (reserved !== undefined) {
    // idempotent redemption: no new budget either way
    if (now >= reserved) return { decision: { acquired: true, slotAt: reserved, rejected: false }, tat: current, redeemed: true };
    return { decision: { acquired: false, slotAt: reserved, rejected: false }, tat: current };
  }
  if (now >= current - toleranceMs) {
    return { decision: { acquired: true, slotAt: now, rejected: false }, tat: Math.max(now, current) + intervalMs };
  }
  const slot = Math.ceil(current - toleranceMs);
  if (slot - now > request.horizonMs) return { decision: { acquired: false, slotAt: slot, rejected: true }, tat: current };
  return { decision: { acquired: false, slotAt: slot, rejected: false }, tat: current + intervalMs, reserve: slot };
}

/**
 * How long past its TAT a budget is kept before it may be removed. A budget whose TAT is at or
 * before `now` is equivalent to an absent one for every request at `now` or later — the request
 * conforms and sets TAT = now + T either way — unless it was `startEmpty` (an absent key starts
 * with no burst, a kept idle one has its full burst) or holds a reservation (redemption and
 * release read it). The minute spares the rows of keys in use from being deleted and created
 * again between two starts, and covers clocks of processes up to a minute apart.
 */
export const IDLE_BUDGET_AGE_MS = 60_000;

/** Idle budgets one acquisition batch removes at most (the work of a sweep stays bounded). */
export const IDLE_BUDGETS_PER_BATCH = 100;

/** What a store knows of a budget to tell whether it is idle. */
export interface BudgetState {
  tat: number;
  /** The `startEmpty` of the budget's last request. */
  startEmpty: boolean;
  /** Reservations booked on the budget and not yet redeemed or released. */
  reserved: number;
}

/**
 * Whether a budget may be removed at `now` (the earliest `now` of the batch that sweeps) without
 * changing any later decision: see `IDLE_BUDGET_AGE_MS`.
 */
export function isIdleBudget(budget: BudgetState, now: number): boolean {
  return !budget.startEmpty && budget.reserved === 0 && budget.tat <= now - IDLE_BUDGET_AGE_MS;
}

/**
 * The TAT after the reservation at `slot` of a key is released: one interval back when it was
 * the newest (its slot is the key's last booked one), else unchanged.
 */
export function releasedTat(tat: number, slot: number, intervalMs: number, toleranceMs: number): number {
  return Math.ceil(tat - intervalMs - toleranceMs) === slot ? tat - intervalMs : tat;
}

/**
 * The id of the budget of a (policy, key) pair, as every store names it: the JSON text of the pair
 * (unambiguous whatever characters the two hold; the Redis scripts store it as a hash field).
 */
export function rateLimitBudgetId(policyKey: string, key: string): string {
  return JSON.stringify([policyKey, key]);
}
