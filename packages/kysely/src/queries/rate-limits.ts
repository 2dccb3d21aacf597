import { StorageError, type RateLimitDecision, type RateLimitIntrospection, type RateLimitRequest } from 'evertask';
import { IDLE_BUDGET_AGE_MS, IDLE_BUDGETS_PER_BATCH, applyGcra, rateLimitBudgetId as budgetId, readRateLimitKeyRow } from 'evertask/storage-kit';
import { sql } from 'kysely';
import type { AnyKysely, DbRow } from '../database.js';
import type { QueryContext } from './context.js';

const STORAGE = 'KyselyStorage';

function readNumber(value: unknown, what: string): number {
  const n = Number(value);
  if (value === null || value === undefined || !Number.isFinite(n)) throw new StorageError(`${STORAGE}: a stored rate-limit ${what} is ${String(value)}; the table was changed outside EverTask.`);
  return n;
}

/** A budget of a batch: its key and tolerance. */
interface Budget {
  policyKey: string;
  key: string;
  toleranceMs: number;
  /** The `startEmpty` of the batch's last request of the key. */
  startEmpty: boolean;
}

/**
 * The shared rate-limit budgets (`rateLimits` role). One transaction per batch of acquisitions:
 * the batch's budget rows created where missing and then read and locked in key order (two
 * batches never deadlock; SQLite's write lock serialises them), read with the batch's
 * reservations, stepped through the kit's `applyGcra` in request order, written back, and up to
 * `IDLE_BUDGETS_PER_BATCH` idle budgets removed — eight statements whatever the batch size.
 */
export class RateLimitQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  async acquire(requests: readonly RateLimitRequest[]): Promise<RateLimitDecision[]> {
    return this.#context.connection.transaction('rateLimits.acquire', (db) => this.#acquireIn(db, requests));
  }

  async #acquireIn(db: AnyKysely, requests: readonly RateLimitRequest[]): Promise<RateLimitDecision[]> {
    const { connection, tables } = this.#context;
    const { dialect } = connection;
    const budgets = new Map<string, Budget>();
    for (const r of requests) budgets.set(budgetId(r.policyKey, r.key), { policyKey: r.policyKey, key: r.key, toleranceMs: r.toleranceMs, startEmpty: r.startEmpty });
    const ordered = [...budgets.values()].sort((p, q) => compare(p.policyKey, q.policyKey) || compare(p.key, q.key));
    // a NULL TAT marks a row created here: the first request of the key starts it fresh. An
    // upsert (not "insert if absent") so that an existing row is write-locked at once: with only
    // a shared lock from a skipped insert, two batches would deadlock upgrading it
    const fresh = db.insertInto(tables.rateLimits).values(ordered.map((b) => ({ policy_key: b.policyKey, budget_key: b.key, tat: null, tolerance_ms: b.toleranceMs })));
    await dialect.upsert(fresh, ['policy_key', 'budget_key'], ['tolerance_ms']).execute();
    const budgetRows = (await dialect
      .lockRows(
        db
          .selectFrom(tables.rateLimits)
          .select(['policy_key', 'budget_key', 'tat'])
          .where((eb) => eb(eb.refTuple('policy_key', 'budget_key'), 'in', ordered.map((b) => eb.tuple(b.policyKey, b.key))))
          .orderBy('policy_key')
          .orderBy('budget_key'),
      )
      .execute()) as DbRow[];
    const tats = new Map<string, number | undefined>();
    for (const row of budgetRows) tats.set(budgetId(String(row.policy_key), String(row.budget_key)), row.tat === null ? undefined : readNumber(row.tat, 'TAT'));
    const ids = [...new Set(requests.map((r) => r.reservationId))];
    const reservationRows = (await dialect
      .lockRows(db.selectFrom(tables.rateLimitReservations).select(['reservation_id', 'slot_at']).where('reservation_id', 'in', ids))
      .execute()) as DbRow[];
    const reserved = new Map<string, number>();
    for (const row of reservationRows) reserved.set(String(row.reservation_id), readNumber(row.slot_at, 'slot'));
    const booked = new Map<string, DbRow>();
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
        booked.set(r.reservationId, { reservation_id: r.reservationId, policy_key: r.policyKey, budget_key: r.key, slot_at: outcome.reserve, interval_ms: r.intervalMs });
      }
      return outcome.decision;
    });
    const stepped = db.insertInto(tables.rateLimits).values(
      ordered.map((b) => ({ policy_key: b.policyKey, budget_key: b.key, tat: tats.get(budgetId(b.policyKey, b.key)) ?? null, tolerance_ms: b.toleranceMs, start_empty: b.startEmpty ? 1 : 0 })),
    );
    await dialect.upsert(stepped, ['policy_key', 'budget_key'], ['tat', 'tolerance_ms', 'start_empty']).execute();
    if (booked.size > 0) {
      const rows = db.insertInto(tables.rateLimitReservations).values([...booked.values()]);
      await dialect.upsert(rows, ['reservation_id'], ['policy_key', 'budget_key', 'slot_at', 'interval_ms']).execute();
    }
    if (redeemed.size > 0) await db.deleteFrom(tables.rateLimitReservations).where('reservation_id', 'in', [...redeemed]).execute();
    await this.#removeIdle(db, Math.min(...requests.map((r) => r.now)));
    return decisions;
  }

  /**
   * Removes up to `IDLE_BUDGETS_PER_BATCH` idle budgets (the kit's `isIdleBudget`: TAT at least
   * `IDLE_BUDGET_AGE_MS` before the batch's earliest `now`, not `startEmpty`, no reservation),
   * which decide every later request as an absent one would.
   */
  async #removeIdle(db: AnyKysely, now: number): Promise<void> {
    const { connection, tables } = this.#context;
    // rows another batch holds are left to a later sweep (no waiting on them, no deadlock)
    const idle = (await connection.dialect
      .lockRowsSkippingLocked(
        db
          .selectFrom(`${tables.rateLimits} as b`)
          .select(['b.policy_key', 'b.budget_key'])
          .where('b.start_empty', '=', 0)
          .where('b.tat', '<=', now - IDLE_BUDGET_AGE_MS)
          .where((eb) =>
            eb.not(
              eb.exists(
                eb
                  .selectFrom(`${tables.rateLimitReservations} as x`)
                  .select('x.reservation_id')
                  .whereRef('x.policy_key', '=', 'b.policy_key')
                  .whereRef('x.budget_key', '=', 'b.budget_key'),
              ),
            ),
          )
          .orderBy('b.tat')
          .limit(IDLE_BUDGETS_PER_BATCH),
      )
      .execute()) as DbRow[];
    if (idle.length === 0) return;
    await db
      .deleteFrom(tables.rateLimits)
      .where((eb) => eb(eb.refTuple('policy_key', 'budget_key'), 'in', idle.map((row) => eb.tuple(String(row.policy_key), String(row.budget_key)))))
      .execute();
  }

  /** Drops a reservation; the newest reservation of its key gives its slot back (TAT one interval earlier). */
  async release(reservationId: string): Promise<void> {
    const { connection, tables } = this.#context;
    await connection.transaction('rateLimits.release', async (db) => {
      const reservation = (await connection.dialect
        .lockRows(db.selectFrom(tables.rateLimitReservations).select(['policy_key', 'budget_key', 'slot_at', 'interval_ms']).where('reservation_id', '=', reservationId))
        .executeTakeFirst()) as DbRow | undefined;
      if (reservation === undefined) return;
      const budget = (await connection.dialect
        .lockRows(
          db.selectFrom(tables.rateLimits).select(['tat', 'tolerance_ms']).where('policy_key', '=', reservation.policy_key).where('budget_key', '=', reservation.budget_key),
        )
        .executeTakeFirst()) as DbRow | undefined;
      const interval = readNumber(reservation.interval_ms, 'interval');
      if (budget !== undefined && budget.tat !== null) {
        const tat = readNumber(budget.tat, 'TAT');
        if (Math.ceil(tat - interval - readNumber(budget.tolerance_ms, 'tolerance')) === readNumber(reservation.slot_at, 'slot')) {
          await db.updateTable(tables.rateLimits).set({ tat: tat - interval }).where('policy_key', '=', reservation.policy_key).where('budget_key', '=', reservation.budget_key).execute();
        }
      }
      await db.deleteFrom(tables.rateLimitReservations).where('reservation_id', '=', reservationId).execute();
    });
  }

  async introspect(limit: number): Promise<RateLimitIntrospection> {
    const { connection, tables } = this.#context;
    return connection.run(
      'rateLimits.introspect',
      async (db) => {
        const keys = (await db
          .selectFrom(`${tables.rateLimits} as b`)
          .select([
            'b.policy_key',
            'b.budget_key',
            sql<number>`ceil(b.tat - b.tolerance_ms)`.as('next_slot_at'),
            (eb) =>
              eb
                .selectFrom(`${tables.rateLimitReservations} as x`)
                .select((inner) => inner.fn.countAll().as('n'))
                .whereRef('x.policy_key', '=', 'b.policy_key')
                .whereRef('x.budget_key', '=', 'b.budget_key')
                .as('reserved'),
          ])
          .where('b.tat', 'is not', null)
          .orderBy('next_slot_at')
          .orderBy('b.policy_key')
          .orderBy('b.budget_key')
          .limit(limit)
          .execute()) as DbRow[];
        const tracked = await db.selectFrom(tables.rateLimits).select((eb) => eb.fn.countAll().as('n')).where('tat', 'is not', null).executeTakeFirst();
        const reservedTotal = await db.selectFrom(tables.rateLimitReservations).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
        return {
          trackedKeys: Number(tracked?.n ?? 0),
          reserved: Number(reservedTotal?.n ?? 0),
          keys: keys.map((row) => readRateLimitKeyRow({ ...row, next_slot_at: Number(row.next_slot_at) }, STORAGE)),
        };
      },
      { idempotent: true },
    );
  }
}

/** Code-unit order (the engine's order of keys). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
