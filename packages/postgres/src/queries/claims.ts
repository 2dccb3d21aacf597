import type { ClaimRequest, StoredTask } from 'evertask';
import type { QueryContext } from '../connection.js';
import { readers, taskSelectList, type TaskRow } from '../row-mapping.js';

/** Statuses a claim takes when due. */
const WAITING = `('waiting', 'service-stopped')`;
/** Statuses that hold a lease (claimed again when it lapses). */
const LEASED = `('queued', 'in-progress')`;

/** Which filters a claim statement applies: by queue, by task name, both or neither. */
type ClaimFilter = 'all' | 'queues' | 'names' | 'both';
const FILTERS: readonly ClaimFilter[] = ['all', 'queues', 'names', 'both'];

function claimFilter(queues: readonly string[] | undefined, names: readonly string[] | undefined): ClaimFilter {
  if (queues === undefined) return names === undefined ? 'all' : 'names';
  return names === undefined ? 'queues' : 'both';
}

/** The WHERE conditions of `filter`, numbering its parameters from `$first` (queues, then names). */
function filterSql(filter: ClaimFilter, first: number): string {
  const queues = filter === 'queues' || filter === 'both' ? ` AND queue = ANY ($${first}::text[])` : '';
  const names = filter === 'names' ? ` AND name = ANY ($${first}::text[])` : filter === 'both' ? ` AND name = ANY ($${first + 1}::text[])` : '';
  return queues + names;
}

/** Leaves out the paused queues, read by the same statement (so in the same snapshot as the claim). */
function notPaused(s: string): string {
  return ` AND queue NOT IN (SELECT queue FROM ${s}.paused_queues)`;
}

/** One statement per filter, keyed by it. */
function perFilter(sql: (filter: ClaimFilter) => string): Record<ClaimFilter, string> {
  return Object.fromEntries(FILTERS.map((filter) => [filter, sql(filter)])) as Record<ClaimFilter, string>;
}

/**
 * `claimDue`: one statement. Each branch walks its own partial index in order and locks with
 * SKIP LOCKED (so concurrent claimers take disjoint rows without waiting); the union is cut to
 * the limit by due time and the winners are leased in the same statement. Two index-ordered
 * branches instead of one `OR` keep the claim O(limit) however large the backlog is.
 *
 * The task-name filter is checked on the rows each index yields in due order.
 *
 * Parameters: $1 owner, $2 now, $3 limit, $4 lease ms, then those of the filter (`filterSql`).
 */
function claimSql(s: string, filter: ClaimFilter): string {
  const q = filterSql(filter, 5) + notPaused(s);
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

/** Parameters: those of the filter (`filterSql`). */
function nextDueSql(s: string, filter: ClaimFilter): string {
  const q = filterSql(filter, 1) + notPaused(s);
  return `SELECT LEAST(
  (SELECT min(due_at) FROM ${s}.tasks WHERE status IN ${WAITING}${q}),
  (SELECT min(lease_expires_at) FROM ${s}.tasks WHERE status IN ${LEASED}${q})
) AS next`;
}

/** The parameter values of `filter`'s conditions, in `filterSql`'s order. */
function filterValues(filter: ClaimFilter, queues: readonly string[] | undefined, names: readonly string[] | undefined): unknown[] {
  if (filter === 'all') return [];
  if (filter === 'queues') return [queues];
  if (filter === 'names') return [names];
  return [queues, names];
}

/** Work distribution: leased claims, lease renewal and the next due time. */
export class ClaimQueries {
  readonly #context: QueryContext;
  readonly #sql: { claim: Record<ClaimFilter, string>; renew: string; renewIds: string; nextDue: Record<ClaimFilter, string> };

  constructor(context: QueryContext) {
    this.#context = context;
    const s = context.quotedSchema;
    this.#sql = {
      claim: perFilter((filter) => claimSql(s, filter)),
      renew: `UPDATE ${s}.tasks SET lease_expires_at = $2::int8 + $3::int8
WHERE status IN ${LEASED} AND lease_owner = $1::text`,
      renewIds: `UPDATE ${s}.tasks SET lease_expires_at = $2::int8 + $3::int8
WHERE id = ANY ($4::uuid[]) AND status IN ${LEASED} AND lease_owner = $1::text`,
      nextDue: perFilter((filter) => nextDueSql(s, filter)),
    };
  }

  async claimDue(request: ClaimRequest): Promise<StoredTask[]> {
    const connection = this.#context.connection;
    const { owner, now, limit, leaseMs, queues, names } = request;
    const filter = claimFilter(queues, names);
    const config = connection.statement(`claim_${filter}`, this.#sql.claim[filter], [owner, now, limit, leaseMs, ...filterValues(filter, queues, names)]);
    const res = await connection.run<TaskRow & { claim_key: string }>('claimDue', config);
    const claimed = res.rows.map((row) => ({ key: Number(row.claim_key), task: readers.task(row) }));
    claimed.sort((a, b) => a.key - b.key || (a.task.id < b.task.id ? -1 : a.task.id > b.task.id ? 1 : 0));
    return claimed.map((c) => c.task);
  }

  async renewLeases(owner: string, now: number, leaseMs: number, ids?: readonly string[]): Promise<number> {
    const connection = this.#context.connection;
    if (ids === undefined) {
      const res = await connection.run('renewLeases', connection.statement('renew', this.#sql.renew, [owner, now, leaseMs]));
      return res.rowCount ?? 0;
    }
    const res = await connection.run('renewLeases', connection.statement('renew_ids', this.#sql.renewIds, [owner, now, leaseMs, ids]));
    return res.rowCount ?? 0;
  }

  async nextDueAt(queues?: readonly string[], names?: readonly string[]): Promise<number | undefined> {
    const connection = this.#context.connection;
    const filter = claimFilter(queues, names);
    const config = connection.statement(`next_due_${filter}`, this.#sql.nextDue[filter], filterValues(filter, queues, names));
    const res = await connection.run<{ next: string | null }>('nextDueAt', config);
    const next = res.rows[0]?.next;
    return next === null || next === undefined ? undefined : Number(next);
  }
}
