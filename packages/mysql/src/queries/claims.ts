import type { ClaimRequest, StoredTask } from 'evertask';
import { affectedRows, rowsOf, type QueryContext } from '../connection.js';
import { readers, taskSelectList } from '../row-mapping.js';

/** Statuses a claim takes when due. */
const WAITING_STATUSES = ['waiting', 'service-stopped'];
/** Statuses that hold a lease (claimed again when it lapses). */
const LEASED_STATUSES = ['queued', 'in-progress'];
/** Statuses a claim takes when due, as an SQL list. */
const WAITING = `('waiting', 'service-stopped')`;
/** Statuses that hold a lease, as an SQL list. */
const LEASED = `('queued', 'in-progress')`;

/**
 * Work distribution: leased claims, lease renewal and the next due time.
 *
 * A claim is one READ COMMITTED transaction: one locking read whose two branches each walk their
 * index in order with `FOR UPDATE SKIP LOCKED` (due tasks, and leased tasks whose lease lapsed),
 * so concurrent claimers take disjoint rows without waiting; then one UPDATE leases the winners.
 * Two round trips: the transaction opens with the read, and commits with the UPDATE.
 */
export class ClaimQueries {
  readonly #context: QueryContext;
  readonly #sql: { renew: string; renewIds: string };

  constructor(context: QueryContext) {
    this.#context = context;
    const t = context.tables.tasks;
    this.#sql = {
      renew: `UPDATE ${t} SET lease_expires_at = ? WHERE status IN ${LEASED} AND lease_owner = ?`,
      renewIds: `UPDATE ${t} SET lease_expires_at = ? WHERE id IN (?) AND status IN ${LEASED} AND lease_owner = ?`,
    };
  }

  /**
   * One branch per status, so that each walks its `(status, time)` index in order and stops at
   * the limit: a branch over two statuses would sort them (and lock every row it sorts).
   */
  #lockingRead(filter: string): string {
    const t = this.#context.tables.tasks;
    const q = filter + this.#notPaused();
    const due = (status: string): string => `(SELECT ${taskSelectList()}, due_at AS claim_key FROM ${t}
  WHERE status = '${status}' AND due_at <= ?${q} ORDER BY due_at LIMIT ? FOR UPDATE SKIP LOCKED)`;
    const lapsed = (status: string): string => `(SELECT ${taskSelectList()}, COALESCE(LEAST(due_at, lease_expires_at), lease_expires_at) AS claim_key FROM ${t}
  WHERE status = '${status}' AND lease_expires_at <= ?${q} ORDER BY lease_expires_at LIMIT ? FOR UPDATE SKIP LOCKED)`;
    return [...WAITING_STATUSES.map(due), ...LEASED_STATUSES.map(lapsed)].join('\nUNION ALL\n');
  }

  /** Leaves out the paused queues, read by the same statement as the claim. */
  #notPaused(): string {
    return ` AND queue NOT IN (SELECT queue FROM ${this.#context.tables.pausedQueues})`;
  }

  async claimDue(request: ClaimRequest): Promise<StoredTask[]> {
    const { owner, now, limit, leaseMs, queues, names } = request;
    const filter = queueAndNameFilter(queues, names);
    if (limit === 0 || filter === undefined) return [];
    const branch = [now, ...filter.values, limit];
    const read = this.#lockingRead(filter.sql);
    const tasks = this.#context.tables.tasks;
    const leaseExpiresAt = now + leaseMs;
    return this.#context.connection.readThenWrite(
      'claimDue',
      { sql: read, values: [...branch, ...branch, ...branch, ...branch] },
      (locked) => {
        const candidates = rowsOf(locked).map((row) => ({ key: Number(row.claim_key), row }));
        candidates.sort((a, b) => a.key - b.key || compareText(String(a.row.id), String(b.row.id)));
        const picked = candidates.slice(0, limit);
        if (picked.length === 0) return { result: [] };
        return {
          write: {
            sql: `UPDATE ${tasks} SET status = 'queued', lease_owner = ?, lease_expires_at = ?, updated_at = ? WHERE id IN (?)`,
            values: [owner, leaseExpiresAt, now, picked.map((c) => c.row.id)],
          },
          result: picked.map(({ row }) => readers.task({ ...row, status: 'queued', lease_owner: owner, lease_expires_at: leaseExpiresAt, updated_at: now })),
        };
      },
      { idempotent: true },
    );
  }

  async renewLeases(owner: string, now: number, leaseMs: number, ids?: readonly string[]): Promise<number> {
    const connection = this.#context.connection;
    if (ids === undefined) {
      return affectedRows(await connection.run('renewLeases', this.#sql.renew, [now + leaseMs, owner], { idempotent: true }));
    }
    return affectedRows(await connection.run('renewLeases', this.#sql.renewIds, [now + leaseMs, ids, owner], { idempotent: true }));
  }

  async nextDueAt(queues?: readonly string[], names?: readonly string[]): Promise<number | undefined> {
    const filter = queueAndNameFilter(queues, names);
    if (filter === undefined) return undefined;
    const t = this.#context.tables.tasks;
    const q = filter.sql + this.#notPaused();
    const sql = `SELECT (SELECT MIN(due_at) FROM ${t} WHERE status IN ${WAITING}${q}) AS due,
  (SELECT MIN(lease_expires_at) FROM ${t} WHERE status IN ${LEASED}${q}) AS lapse`;
    const values = [...filter.values, ...filter.values];
    const [row] = rowsOf(await this.#context.connection.run('nextDueAt', sql, values, { idempotent: true }));
    const times = [row?.due, row?.lapse].filter((value) => value !== null && value !== undefined).map(Number);
    return times.length === 0 ? undefined : Math.min(...times);
  }
}

/** The `AND queue IN (?) AND name IN (?)` clause of a claim's filters, or undefined when an empty list selects nothing. */
function queueAndNameFilter(queues?: readonly string[], names?: readonly string[]): { sql: string; values: unknown[] } | undefined {
  if (queues?.length === 0 || names?.length === 0) return undefined;
  const sql = (queues === undefined ? '' : ' AND queue IN (?)') + (names === undefined ? '' : ' AND name IN (?)');
  return { sql, values: [...(queues === undefined ? [] : [queues]), ...(names === undefined ? [] : [names])] };
}

/** Code-point order of two ASCII ids. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
