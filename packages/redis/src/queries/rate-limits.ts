import { StorageError, type RateLimitDecision, type RateLimitIntrospection, type RateLimitRequest } from 'evertask';
import { IDLE_BUDGET_AGE_MS, IDLE_BUDGETS_PER_BATCH, rateLimitBudgetId as budgetId, readRateLimitKeyRow } from 'evertask/storage-kit';
import type { QueryContext } from '../connection.js';

const STORAGE = 'RedisStorage';

/**
 * How long a reservation is kept past its slot, beyond one period (interval + tolerance): a parked
 * task redeems it at its slot, or after a restart; one left longer is forgotten (PEXPIRE), so the
 * reservations of tasks gone for good do not accumulate.
 */
export const RESERVATION_GRACE_MS = 3_600_000;

function malformed(what: string, value: unknown): StorageError {
  return new StorageError(`${STORAGE}: the rate-limit script returned a malformed ${what} (${JSON.stringify(value)}); the rl keys were changed outside EverTask.`);
}

/** Reads a script reply as a flat array of `size`-sized groups. */
function groups(reply: unknown, size: number, what: string): unknown[][] {
  if (!Array.isArray(reply) || reply.length % size !== 0) throw malformed(what, reply);
  const out: unknown[][] = [];
  for (let i = 0; i < reply.length; i += size) out.push(reply.slice(i, i + size));
  return out;
}

/**
 * The shared rate-limit budgets (`rateLimits` role). A batch of acquisitions is one script
 * (scripts/rate-limit-acquire.lua) stepping GCRA through the requests in order, atomically:
 * `{<prefix>}:rl:tat` / `:rl:tol` (hashes of budget id → TAT, tolerance), `:rl:keys` (sorted set of
 * budget id by next slot, for the monitor), `:rl:res:<taskId>` (a reservation: budget, slot,
 * interval; PEXPIRE past its slot), `:rl:r:<budget id>` (sorted set of a budget's reservations
 * by expiry) and `:rl:idle` (sorted set of the budgets that may become idle, by TAT: each batch
 * removes up to `IDLE_BUDGETS_PER_BATCH` idle budgets). Times are always the caller's, never the
 * server's clock.
 */
export class RateLimitQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  async acquire(requests: readonly RateLimitRequest[]): Promise<RateLimitDecision[]> {
    const args: (string | number)[] = [String(RESERVATION_GRACE_MS), String(IDLE_BUDGET_AGE_MS), String(IDLE_BUDGETS_PER_BATCH)];
    for (const r of requests) {
      args.push(budgetId(r.policyKey, r.key), r.reservationId, String(r.now), String(r.intervalMs), String(r.toleranceMs), String(r.horizonMs), r.startEmpty ? '1' : '0');
    }
    const reply = await this.#context.connection.script<unknown>('rateLimits.acquire', 'rate-limit-acquire', args);
    const decisions = groups(reply, 3, 'decision').map(([acquired, slotAt, rejected]) => {
      if ((acquired !== 0 && acquired !== 1) || !Number.isSafeInteger(slotAt) || (rejected !== 0 && rejected !== 1)) throw malformed('decision', [acquired, slotAt, rejected]);
      return { acquired: acquired === 1, slotAt: slotAt as number, rejected: rejected === 1 };
    });
    if (decisions.length !== requests.length) throw malformed('decision list', reply);
    return decisions;
  }

  async release(reservationId: string): Promise<void> {
    await this.#context.connection.script('rateLimits.release', 'rate-limit-release', [reservationId]);
  }

  async introspect(limit: number): Promise<RateLimitIntrospection> {
    const reply = await this.#context.connection.script<unknown>('rateLimits.introspect', 'rate-limit-introspect', [String(limit)]);
    if (!Array.isArray(reply) || reply.length < 2) throw malformed('introspection', reply);
    const [trackedKeys, reserved, ...rows] = reply as unknown[];
    if (!Number.isSafeInteger(trackedKeys) || !Number.isSafeInteger(reserved)) throw malformed('introspection totals', [trackedKeys, reserved]);
    const keys = groups(rows, 3, 'tracked key').map(([id, nextSlotAt, count]) => {
      let pair: unknown;
      try {
        pair = JSON.parse(String(id));
      } catch (error) {
        throw new StorageError(`${STORAGE}: a rate-limit budget id (${String(id)}) is not JSON; the rl keys were changed outside EverTask.`, { cause: error });
      }
      const [policyKey, key] = Array.isArray(pair) ? (pair as unknown[]) : [];
      return readRateLimitKeyRow({ policy_key: policyKey, budget_key: key, next_slot_at: nextSlotAt, reserved: count }, STORAGE);
    });
    return { trackedKeys: trackedKeys as number, reserved: reserved as number, keys };
  }
}
