import type { ClaimRequest, StoredTask } from 'evertask';
import type { AnyKysely, DbRow } from '../database.js';
import type { ClaimBranch } from '../dialects/dialect.js';
import { readers, TASK_SELECT } from '../row-mapping.js';
import type { QueryContext } from './context.js';

/** Statuses a claim takes when due. */
const WAITING = ['waiting', 'service-stopped'] as const;
/** Statuses that hold a lease (claimed again when it lapses). */
const LEASED = ['queued', 'in-progress'] as const;

/**
 * Work distribution: leased claims, lease renewal and the next due time.
 *
 * A claim is one transaction (`SqlDialect.transaction`): a read of four branches — one per status,
 * each walking its `(status, time)` index in order to the limit — locked with `FOR UPDATE SKIP
 * LOCKED` on PostgreSQL and MySQL (concurrent claimers take disjoint rows without waiting; on
 * SQLite the transaction's write lock serialises them), then one UPDATE that leases the earliest
 * `limit` of them. Paused queues are left out by the same read.
 */
export class ClaimQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  /** The filters every claim and `nextDueAt` apply: queues, task names, not paused. */
  #filtered(db: AnyKysely, queues: readonly string[] | undefined, names: readonly string[] | undefined): ClaimBranch {
    let query = db.selectFrom(this.#context.tables.tasks).where('queue', 'not in', db.selectFrom(this.#context.tables.pausedQueues).select('queue'));
    if (queues !== undefined) query = query.where('queue', 'in', queues);
    if (names !== undefined) query = query.where('name', 'in', names);
    return query;
  }

  async claimDue(request: ClaimRequest): Promise<StoredTask[]> {
    const { owner, now, limit, leaseMs, queues, names } = request;
    if (limit === 0 || queues?.length === 0 || names?.length === 0) return [];
    const { connection, tables } = this.#context;
    const leaseExpiresAt = now + leaseMs;
    return connection.transaction(
      'claimDue',
      async (db) => {
        const branch = (status: string, column: 'due_at' | 'lease_expires_at'): ClaimBranch =>
          this.#filtered(db, queues, names)
            .select([...TASK_SELECT])
            .where('status', '=', status)
            .where(column, '<=', now)
            .orderBy(column)
            .limit(limit);
        const branches = [...WAITING.map((status) => branch(status, 'due_at')), ...LEASED.map((status) => branch(status, 'lease_expires_at'))];
        const rows = await connection.dialect.readClaimBranches(db, branches);
        const picked = rows
          .map((row) => ({ key: claimKey(row), row }))
          .sort((a, b) => a.key - b.key || compareText(String(a.row.id), String(b.row.id)))
          .slice(0, limit);
        if (picked.length === 0) return [];
        await db
          .updateTable(tables.tasks)
          .set({ status: 'queued', lease_owner: owner, lease_expires_at: leaseExpiresAt, updated_at: now })
          .where('id', 'in', picked.map(({ row }) => String(row.id)))
          .execute();
        return picked.map(({ row }) => readers.task({ ...row, status: 'queued', lease_owner: owner, lease_expires_at: leaseExpiresAt, updated_at: now }));
      },
      { idempotent: true },
    );
  }

  async renewLeases(owner: string, now: number, leaseMs: number, ids?: readonly string[]): Promise<number> {
    if (ids?.length === 0) return 0;
    return this.#context.connection.run(
      'renewLeases',
      async (db) => {
        let update = db.updateTable(this.#context.tables.tasks).set({ lease_expires_at: now + leaseMs }).where('status', 'in', LEASED).where('lease_owner', '=', owner);
        if (ids !== undefined) update = update.where('id', 'in', ids);
        return Number((await update.executeTakeFirst()).numUpdatedRows);
      },
      { idempotent: true },
    );
  }

  async nextDueAt(queues?: readonly string[], names?: readonly string[]): Promise<number | undefined> {
    if (queues?.length === 0 || names?.length === 0) return undefined;
    return this.#context.connection.run(
      'nextDueAt',
      async (db) => {
        const [due, lapse] = await Promise.all([
          this.#filtered(db, queues, names).select((eb) => eb.fn.min('due_at').as('t')).where('status', 'in', WAITING).executeTakeFirst(),
          this.#filtered(db, queues, names).select((eb) => eb.fn.min('lease_expires_at').as('t')).where('status', 'in', LEASED).executeTakeFirst(),
        ]);
        const times = [due?.t, lapse?.t].filter((value) => value !== null && value !== undefined).map(Number);
        return times.length === 0 ? undefined : Math.min(...times);
      },
      { idempotent: true },
    );
  }
}

/** When a candidate became claimable: its due time, or for a lapsed lease the earlier of due time and expiry. */
function claimKey(row: DbRow): number {
  const due = row.due_at === null || row.due_at === undefined ? undefined : Number(row.due_at);
  if (row.status === 'waiting' || row.status === 'service-stopped') return due ?? 0;
  const lapse = Number(row.lease_expires_at);
  return due === undefined ? lapse : Math.min(due, lapse);
}

/** Code-point order of two ASCII ids. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
