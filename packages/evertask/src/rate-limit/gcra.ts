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
