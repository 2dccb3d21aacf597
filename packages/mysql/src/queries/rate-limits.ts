import type { RateLimitDecision, RateLimitIntrospection, RateLimitRequest } from 'evertask';
import { StorageError } from 'evertask';
import { applyGcra, rateLimitBudgetId as budgetId, readRateLimitKeyRow } from 'evertask/storage-kit';
import type { PoolConnection } from 'mysql2/promise';
import { rowsOf, type QueryContext } from '../connection.js';

const STORAGE = 'MySqlStorage';

function readNumber(value: unknown, what: string): number {
  const n = Number(value);
  if (value === null || value === undefined || !Number.isFinite(n)) throw new StorageError(`${STORAGE}: a stored rate-limit ${what} is ${String(value)}; the table was changed outside EverTask.`);
  return n;
}

/**
 * The shared rate-limit budgets (`rateLimits` role). One transaction per batch of acquisitions:
 * the batch's budget rows are created or locked in key order by one upsert (two batches never
 * deadlock), read with the batch's reservations, stepped through `applyGcra` in request order,
 * and written back — five statements whatever the batch size.
 */
export class RateLimitQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  async acquire(requests: readonly RateLimitRequest[]): Promise<RateLimitDecision[]> {
    if (requests.length === 0) return [];
    return this.#context.connection.transaction('rateLimits.acquire', (db) => this.#acquireIn(db, requests));
  }

  async #acquireIn(db: PoolConnection, requests: readonly RateLimitRequest[]): Promise<RateLimitDecision[]> {
    const { rateLimits: b, rateLimitReservations: x } = this.#context.tables;
    const budgets = new Map<string, { policyKey: string; key: string; toleranceMs: number }>();
    for (const r of requests) budgets.set(budgetId(r.policyKey, r.key), { policyKey: r.policyKey, key: r.key, toleranceMs: r.toleranceMs });
    const ordered = [...budgets.values()].sort((p, q) => (p.policyKey < q.policyKey ? -1 : p.policyKey > q.policyKey ? 1 : p.key < q.key ? -1 : p.key > q.key ? 1 : 0));
    // a NULL TAT marks a row created here: the first request of the key starts it fresh
    await db.query(`INSERT INTO ${b} (policy_key, budget_key, tat, tolerance_ms) VALUES ? ON DUPLICATE KEY UPDATE tolerance_ms = tolerance_ms`, [
      ordered.map((k) => [k.policyKey, k.key, null, k.toleranceMs]),
    ]);
    const [budgetRows] = await db.query(`SELECT policy_key, budget_key, tat FROM ${b} WHERE (policy_key, budget_key) IN (?) FOR UPDATE`, [ordered.map((k) => [k.policyKey, k.key])]);
    const tats = new Map<string, number | undefined>();
    for (const row of rowsOf(budgetRows as never)) {
      tats.set(budgetId(String(row.policy_key), String(row.budget_key)), row.tat === null ? undefined : readNumber(row.tat, 'TAT'));
    }
    const ids = [...new Set(requests.map((r) => r.reservationId))];
    const [reservationRows] = await db.query(`SELECT reservation_id, slot_at FROM ${x} WHERE reservation_id IN (?) FOR UPDATE`, [ids]);
    const reserved = new Map<string, number>();
    for (const row of rowsOf(reservationRows as never)) reserved.set(String(row.reservation_id), readNumber(row.slot_at, 'slot'));
    const booked = new Map<string, unknown[]>();
    const redeemed = new Set<string>();
    const decisions = requests.map((r) => {
      const id = budgetId(r.policyKey, r.key);
      const outcome = applyGcra(r, tats.get(id), reserved.get(r.reservationId));
      tats.set(id, outcome.tat);
      if (outcome.redeemed) {
        reserved.delete(r.reservationId);
        booked.delete(r.reservationId);
        redeemed.add(r.reservationId);
      }
      if (outcome.reserve !== undefined) {
        reserved.set(r.reservationId, outcome.reserve);
        redeemed.delete(r.reservationId);
        booked.set(r.reservationId, [r.reservationId, r.policyKey, r.key, outcome.reserve, r.intervalMs]);
      }
      return outcome.decision;
    });
    await db.query(`INSERT INTO ${b} (policy_key, budget_key, tat, tolerance_ms) VALUES ? ON DUPLICATE KEY UPDATE tat = VALUES(tat), tolerance_ms = VALUES(tolerance_ms)`, [
      ordered.map((k) => [k.policyKey, k.key, tats.get(budgetId(k.policyKey, k.key)), k.toleranceMs]),
    ]);
    if (booked.size > 0) {
      await db.query(
        `INSERT INTO ${x} (reservation_id, policy_key, budget_key, slot_at, interval_ms) VALUES ? ON DUPLICATE KEY UPDATE policy_key = VALUES(policy_key), budget_key = VALUES(budget_key), slot_at = VALUES(slot_at), interval_ms = VALUES(interval_ms)`,
        [[...booked.values()]],
      );
    }
    if (redeemed.size > 0) await db.query(`DELETE FROM ${x} WHERE reservation_id IN (?)`, [[...redeemed]]);
    return decisions;
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
