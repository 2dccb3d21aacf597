import type { RateLimitDecision, RateLimitIntrospection, RateLimitRequest } from 'evertask';
import { StorageError } from 'evertask';
import { readRateLimitKeyRow } from 'evertask/storage-kit';
import type { QueryContext } from '../connection.js';

const STORAGE = 'PostgresStorage';

/**
 * The shared rate-limit budgets (`rateLimits` role): one call of the schema's
 * `rate_limit_acquire_sweep` function per batch (one round trip, the budgets locked in key order;
 * it runs `rate_limit_acquire`, then removes up to 100 idle budgets, see `IDLE_BUDGET_AGE_MS`), a
 * one-statement release, and the introspection read.
 */
export class RateLimitQueries {
  readonly #context: QueryContext;
  readonly #sql: { acquire: string; release: string; keys: string; totals: string };

  constructor(context: QueryContext) {
    this.#context = context;
    const s = context.quotedSchema;
    this.#sql = {
      acquire: `SELECT ord, acquired, slot_at, rejected FROM ${s}.rate_limit_acquire_sweep($1::jsonb) ORDER BY ord`,
      // the newest reservation of its key gives its slot back (TAT one interval earlier)
      release: `WITH r AS (
  DELETE FROM ${s}.rate_limit_reservations WHERE reservation_id = $1::text RETURNING policy_key, budget_key, slot_at, interval_ms
)
UPDATE ${s}.rate_limits b SET tat = b.tat - r.interval_ms FROM r
WHERE b.policy_key = r.policy_key AND b.budget_key = r.budget_key AND ceil(b.tat - r.interval_ms - b.tolerance_ms) = r.slot_at`,
      keys: `SELECT b.policy_key, b.budget_key, ceil(b.tat - b.tolerance_ms)::int8 AS next_slot_at,
  (SELECT count(*) FROM ${s}.rate_limit_reservations x WHERE x.policy_key = b.policy_key AND x.budget_key = b.budget_key) AS reserved
FROM ${s}.rate_limits b WHERE b.tat IS NOT NULL
ORDER BY next_slot_at, b.policy_key, b.budget_key LIMIT $1::int4`,
      totals: `SELECT (SELECT count(*) FROM ${s}.rate_limits WHERE tat IS NOT NULL) AS tracked, (SELECT count(*) FROM ${s}.rate_limit_reservations) AS reserved`,
    };
  }

  async acquire(requests: readonly RateLimitRequest[]): Promise<RateLimitDecision[]> {
    const connection = this.#context.connection;
    const body = JSON.stringify(
      requests.map((r) => ({ p: r.policyKey, k: r.key, id: r.reservationId, now: r.now, t: r.intervalMs, tau: r.toleranceMs, h: r.horizonMs, e: r.startEmpty })),
    );
    const res = await connection.run<{ ord: string; acquired: boolean; slot_at: string; rejected: boolean }>(
      'rateLimits.acquire',
      connection.statement('rate_limit_acquire_sweep', this.#sql.acquire, [body]),
    );
    if (res.rows.length !== requests.length) {
      throw new StorageError(`${STORAGE}: rate_limit_acquire_sweep answered ${res.rows.length} rows for ${requests.length} requests; is the schema migrated?`);
    }
    return res.rows.map((row) => {
      const slotAt = Number(row.slot_at);
      if (typeof row.acquired !== 'boolean' || typeof row.rejected !== 'boolean' || !Number.isSafeInteger(slotAt)) {
        throw new StorageError(`${STORAGE}: rate_limit_acquire_sweep answered a malformed row ${JSON.stringify(row)}.`);
      }
      return { acquired: row.acquired, slotAt, rejected: row.rejected };
    });
  }

  async release(reservationId: string): Promise<void> {
    const connection = this.#context.connection;
    await connection.run('rateLimits.release', connection.statement('rate_limit_release', this.#sql.release, [reservationId]));
  }

  async introspect(limit: number): Promise<RateLimitIntrospection> {
    const connection = this.#context.connection;
    const [keys, totals] = await Promise.all([
      connection.run('rateLimits.introspect', connection.statement('rate_limit_keys', this.#sql.keys, [limit])),
      connection.run<{ tracked: string; reserved: string }>('rateLimits.introspect', connection.statement('rate_limit_totals', this.#sql.totals, [])),
    ]);
    const total = totals.rows[0];
    return {
      trackedKeys: Number(total?.tracked ?? 0),
      reserved: Number(total?.reserved ?? 0),
      keys: keys.rows.map((row) => readRateLimitKeyRow(row, STORAGE)),
    };
  }
}
