import type { RateLimitDecision, RateLimitIntrospection, RateLimitRequest } from 'evertask';
import { StorageError } from 'evertask';
import { readRateLimitKeyRow } from 'evertask/storage-kit';
import { rowsOf, type QueryContext } from '../connection.js';

const STORAGE = 'MySqlStorage';

/** Requests per CALL: a larger batch goes out as several calls, in order. */
const ACQUIRE_CHUNK = 500;

/**
 * The procedure's answer: [ord, state, slot] per request, ord its place in the batch (from 1),
 * state 0 acquired now, 1 redeemed at its slot, 2 parked, 3 rejected.
 */
function readDecisions(result: unknown, requests: readonly RateLimitRequest[]): RateLimitDecision[] {
  const sets = Array.isArray(result) ? (result as unknown[]) : [];
  const row = Array.isArray(sets[0]) ? (sets[0] as { decisions?: unknown }[])[0] : undefined;
  let flat: unknown;
  try {
    flat = JSON.parse(String(row?.decisions));
  } catch {
    flat = undefined;
  }
  const decisions: RateLimitDecision[] = [];
  let answered = 0;
  if (Array.isArray(flat) && flat.length === requests.length * 3) {
    for (let j = 0; j < flat.length; j += 3) {
      const ord = flat[j] as number;
      const request = requests[ord - 1];
      const state = flat[j + 1];
      const slot = flat[j + 2];
      if (request === undefined || decisions[ord - 1] !== undefined || (state !== 0 && state !== 1 && state !== 2 && state !== 3) || !Number.isSafeInteger(slot)) break;
      decisions[ord - 1] = { acquired: state <= 1, slotAt: state === 0 ? request.now : (slot as number), rejected: state === 3 };
      answered++;
    }
  }
  if (answered !== requests.length) {
    throw new StorageError(
      `${STORAGE}: the rate_limit_acquire procedure answered ${String(row?.decisions)} for ${requests.length} requests; it was changed outside EverTask. ` +
        'Recreate it: delete version 5 from the <prefix>migrations table and open the storage again (migrate: true).',
    );
  }
  return decisions;
}

/**
 * The shared rate-limit budgets (`rateLimits` role). A batch of acquisitions (up to 500; a larger
 * one is split, in order) is one statement: `CALL <prefix>rate_limit_acquire(json)` (migration 5),
 * which in its own transaction creates or locks the batch's budget rows in key order (two batches
 * never deadlock), steps the requests with the arithmetic of `applyGcra`, and removes up to 100
 * idle budgets (`IDLE_BUDGET_AGE_MS`). A deadlock or lock-wait timeout, after which the procedure
 * has rolled back, reruns the call.
 */
export class RateLimitQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  async acquire(requests: readonly RateLimitRequest[]): Promise<RateLimitDecision[]> {
    const decisions: RateLimitDecision[] = [];
    for (let first = 0; first < requests.length; first += ACQUIRE_CHUNK) {
      decisions.push(...(await this.#call(requests.slice(first, first + ACQUIRE_CHUNK))));
    }
    return decisions;
  }

  async #call(requests: readonly RateLimitRequest[]): Promise<RateLimitDecision[]> {
    const batch = JSON.stringify(
      requests.map((r) => ({ p: r.policyKey, k: r.key, id: r.reservationId, now: r.now, t: r.intervalMs, tau: r.toleranceMs, h: r.horizonMs, e: r.startEmpty ? 1 : 0 })),
    );
    const result = await this.#context.connection.run('rateLimits.acquire', `CALL ${this.#context.tables.rateLimitAcquire}(?)`, [batch]);
    return readDecisions(result, requests);
  }

  async release(reservationId: string): Promise<void> {
    const { rateLimits: b, rateLimitReservations: x } = this.#context.tables;
    // the newest reservation of its key gives its slot back (TAT one interval earlier)
    await this.#context.connection.script('rateLimits.release', [
      {
        sql: `UPDATE ${b} b JOIN ${x} r ON r.policy_key = b.policy_key AND r.budget_key = b.budget_key SET b.tat = b.tat - r.interval_ms
WHERE r.reservation_id = ? AND CEIL(b.tat - r.interval_ms - b.tolerance_ms) = r.slot_at`,
        values: [reservationId],
      },
      { sql: `DELETE FROM ${x} WHERE reservation_id = ?`, values: [reservationId] },
    ]);
  }

  async introspect(limit: number): Promise<RateLimitIntrospection> {
    const { rateLimits: b, rateLimitReservations: x } = this.#context.tables;
    const connection = this.#context.connection;
    const [keys, totals] = await Promise.all([
      connection.run(
        'rateLimits.introspect',
        `SELECT b.policy_key, b.budget_key, CAST(CEIL(b.tat - b.tolerance_ms) AS SIGNED) AS next_slot_at,
  (SELECT COUNT(*) FROM ${x} r WHERE r.policy_key = b.policy_key AND r.budget_key = b.budget_key) AS reserved
FROM ${b} b WHERE b.tat IS NOT NULL ORDER BY next_slot_at, b.policy_key, b.budget_key LIMIT ?`,
        [limit],
        { idempotent: true },
      ),
      connection.run('rateLimits.introspect', `SELECT (SELECT COUNT(*) FROM ${b} WHERE tat IS NOT NULL) AS tracked, (SELECT COUNT(*) FROM ${x}) AS reserved`, [], { idempotent: true }),
    ]);
    const total = rowsOf(totals)[0];
    return {
      trackedKeys: Number(total?.tracked ?? 0),
      reserved: Number(total?.reserved ?? 0),
      keys: rowsOf(keys).map((row) => readRateLimitKeyRow(row, STORAGE)),
    };
  }
}
