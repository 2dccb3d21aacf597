import { InvalidArgumentError, type ClaimRequest, type StoredTask } from 'evertask';
import type { QueryContext } from '../connection.js';
import { checkInteger, checkQueues, checkValue, isUuid } from '../input-validation.js';
import { rowToTask, taskSelectList, type TaskRow } from '../row-mapping.js';

/** Statuses a claim takes when due. */
const WAITING = `('waiting', 'service-stopped')`;
/** Statuses that hold a lease (claimed again when it lapses). */
const LEASED = `('queued', 'in-progress')`;

/**
 * `claimDue`: one statement. Each branch walks its own partial index in order and locks with
 * SKIP LOCKED (so concurrent claimers take disjoint rows without waiting); the union is cut to
 * the limit by due time and the winners are leased in the same statement. Two index-ordered
 * branches instead of one `OR` keep the claim O(limit) however large the backlog is.
 *
 * Parameters: $1 owner, $2 now, $3 limit, $4 lease ms, [$5 queues].
 */
function claimSql(s: string, withQueues: boolean): string {
  const q = withQueues ? ' AND queue = ANY ($5::text[])' : '';
  return `WITH due AS (
  SELECT id, due_at AS k FROM ${s}.tasks
  WHERE status IN ${WAITING} AND due_at <= $2::int8${q}
  ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED
), lapsed AS (
  SELECT id, COALESCE(LEAST(due_at, lease_expires_at), lease_expires_at) AS k FROM ${s}.tasks
  WHERE status IN ${LEASED} AND lease_expires_at <= $2::int8${q}
  ORDER BY lease_expires_at LIMIT $3 FOR UPDATE SKIP LOCKED
), pick AS (
  SELECT id, k FROM (SELECT * FROM due UNION ALL SELECT * FROM lapsed) x ORDER BY k, id LIMIT $3
)
UPDATE ${s}.tasks t
SET status = 'queued', lease_owner = $1::text, lease_expires_at = $2::int8 + $4::int8, updated_at = $2::int8
FROM pick WHERE t.id = pick.id
RETURNING ${taskSelectList('t')}, pick.k AS claim_key`;
}

function nextDueSql(s: string, withQueues: boolean): string {
  const q = withQueues ? ' AND queue = ANY ($1::text[])' : '';
  return `SELECT LEAST(
  (SELECT min(due_at) FROM ${s}.tasks WHERE status IN ${WAITING}${q}),
  (SELECT min(lease_expires_at) FROM ${s}.tasks WHERE status IN ${LEASED}${q})
) AS next`;
}

/** Work distribution: leased claims, lease renewal and the next due time. */
export class ClaimQueries {
  readonly #context: QueryContext;
  readonly #sql: { claim: string; claimQueues: string; renew: string; renewIds: string; nextDue: string; nextDueQueues: string };

  constructor(context: QueryContext) {
    this.#context = context;
    const s = context.quotedSchema;
    this.#sql = {
      claim: claimSql(s, false),
      claimQueues: claimSql(s, true),
      renew: `UPDATE ${s}.tasks SET lease_expires_at = $2::int8 + $3::int8
WHERE status IN ${LEASED} AND lease_owner = $1::text`,
      renewIds: `UPDATE ${s}.tasks SET lease_expires_at = $2::int8 + $3::int8
WHERE id = ANY ($4::uuid[]) AND status IN ${LEASED} AND lease_owner = $1::text`,
      nextDue: nextDueSql(s, false),
      nextDueQueues: nextDueSql(s, true),
    };
  }

  async claimDue(request: ClaimRequest): Promise<StoredTask[]> {
    if (typeof request !== 'object' || request === null) throw new InvalidArgumentError('claimDue: "request" must be an object.');
    const connection = this.#context.connection;
    const { owner, now, limit, leaseMs } = request;
    if (typeof owner !== 'string' || owner === '') throw new InvalidArgumentError('claimDue: "owner" must be a non-empty string.');
    checkValue('time', now, 'claimDue: "now"');
    checkInteger(limit, 'claimDue: "limit"', 0);
    checkInteger(leaseMs, 'claimDue: "leaseMs"', 1);
    const queues = checkQueues(request.queues, 'claimDue: "queues"');
    if (limit === 0 || (queues !== undefined && queues.length === 0)) return [];
    const config =
      queues === undefined
        ? connection.statement('claim', this.#sql.claim, [owner, now, limit, leaseMs])
        : connection.statement('claim_queues', this.#sql.claimQueues, [owner, now, limit, leaseMs, queues]);
    const res = await connection.run<TaskRow & { claim_key: string }>('claimDue', config);
    const claimed = res.rows.map((row) => ({ key: Number(row.claim_key), task: rowToTask(row) }));
    claimed.sort((a, b) => a.key - b.key || (a.task.id < b.task.id ? -1 : a.task.id > b.task.id ? 1 : 0));
    return claimed.map((c) => c.task);
  }

  async renewLeases(owner: string, now: number, leaseMs: number, ids?: readonly string[]): Promise<number> {
    if (typeof owner !== 'string' || owner === '') throw new InvalidArgumentError('renewLeases: "owner" must be a non-empty string.');
    checkValue('time', now, 'renewLeases: "now"');
    const connection = this.#context.connection;
    checkInteger(leaseMs, 'renewLeases: "leaseMs"', 1);
    if (ids === undefined) {
      const res = await connection.run('renewLeases', connection.statement('renew', this.#sql.renew, [owner, now, leaseMs]));
      return res.rowCount ?? 0;
    }
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
      throw new InvalidArgumentError('renewLeases: "ids" must be an array of task ids.');
    }
    // an id that is no UUID names no stored task: nothing to renew
    const uuids = ids.filter((id) => isUuid(id));
    if (uuids.length === 0) return 0;
    const res = await connection.run('renewLeases', connection.statement('renew_ids', this.#sql.renewIds, [owner, now, leaseMs, uuids]));
    return res.rowCount ?? 0;
  }

  async nextDueAt(queues?: readonly string[]): Promise<number | undefined> {
    const list = checkQueues(queues, 'nextDueAt: "queues"');
    const connection = this.#context.connection;
    if (list !== undefined && list.length === 0) return undefined;
    const config =
      list === undefined
        ? connection.statement('next_due', this.#sql.nextDue, [])
        : connection.statement('next_due_queues', this.#sql.nextDueQueues, [list]);
    const res = await connection.run<{ next: string | null }>('nextDueAt', config);
    const next = res.rows[0]?.next;
    return next === null || next === undefined ? undefined : Number(next);
  }
}
