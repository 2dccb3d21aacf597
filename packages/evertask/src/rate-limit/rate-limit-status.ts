import type { RateLimitKeyState } from '../ports/rate-limit-store.js';
import type { RateLimitGate } from './rate-limit-gate.js';

/** What `EverTask.rateLimitStatus()` reports: the budgets and the tasks parked for a slot. */
export interface RateLimitStatus {
  /** True when the budgets are the storage's, shared by every process on it; false: this engine's alone. */
  shared: boolean;
  /** Tasks parked for a rate-limit slot (reservations not yet redeemed) — cluster-wide when `shared`. */
  parked: number;
  /** Budgets tracked (distinct task name and key pairs). */
  trackedKeys: number;
  /** Tasks this engine ran unthrottled because the limiter failed or a key selector threw. */
  failOpenCount: number;
  /** The tracked budgets, earliest next slot first (`nextSlotAt`: when an unreserved start next conforms). */
  keys: RateLimitKeyState[];
}

export async function readRateLimitStatus(gate: RateLimitGate, limit: number | undefined): Promise<RateLimitStatus> {
  const state = await gate.introspect(limit);
  return { shared: gate.shared, parked: state.reserved, trackedKeys: state.trackedKeys, failOpenCount: gate.failOpenCount, keys: state.keys };
}
