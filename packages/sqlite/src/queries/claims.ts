/**
 * Work distribution: claiming due and lease-expired tasks, renewing leases, and the next time a
 * task becomes due. INDEXED BY pins these hot queries to their partial indexes: without statistics
 * the planner would otherwise pick the status index and sort every waiting row. It also proves, when
 * the statement is prepared, that each query's WHERE implies its index's predicate.
 */
import type { StoredTask } from 'evertask';
import { readers } from '../row-mapping.js';
import type { Prepare, Statement, QuerySession } from './query-session.js';
import { DUE_STATUSES_SQL, LEASED_STATUSES_SQL, type TableNames } from './tables.js';

/** The connection as this module sees it. */
type Session = QuerySession<{ claims: ClaimStatements }>;

/** Which filters a claim statement applies: by queue, by task name, both or neither. */
type ClaimFilter = 'all' | 'queues' | 'names' | 'both';

function claimFilter(queuesJson: string | undefined, namesJson: string | undefined): ClaimFilter {
  if (queuesJson === undefined) return namesJson === undefined ? 'all' : 'names';
  return namesJson === undefined ? 'queues' : 'both';
}

export interface ClaimStatements {
  candidates: Record<ClaimFilter, Statement>;
  claim: Statement;
  renew: Statement;
  renewIds: Statement;
  nextDue: Record<ClaimFilter, Statement>;
}

/** The statement text for each filter. */
function perFilter(prepare: Prepare, text: (queues: boolean, names: boolean) => string): Record<ClaimFilter, Statement> {
  return { all: prepare(text(false, false)), queues: prepare(text(true, false)), names: prepare(text(false, true)), both: prepare(text(true, true)) };
}

export function prepareClaimStatements(prepare: Prepare, t: TableNames): ClaimStatements {
  // the name filter is checked on the rows the due/lease index yields in time order
  // paused queues are left out in the same statement (and, for claims, the same transaction)
  const filters = (queues: boolean, names: boolean): string =>
    `${queues ? 'AND queue IN (SELECT value FROM json_each(@queues))' : ''} ${names ? 'AND name IN (SELECT value FROM json_each(@names))' : ''} ` +
    `AND queue NOT IN (SELECT queue FROM ${t.pausedQueues})`;
  const dueCandidates = (queues: boolean, names: boolean): string => `
      SELECT id, k FROM (
        SELECT id, due_at AS k FROM ${t.tasks} INDEXED BY ${t.tasks}_due
        WHERE ${DUE_STATUSES_SQL} AND due_at <= @now ${filters(queues, names)}
        ORDER BY due_at LIMIT @limit)
      UNION ALL
      SELECT id, k FROM (
        SELECT id, lease_expires_at AS k FROM ${t.tasks} INDEXED BY ${t.tasks}_lease_expiry
        WHERE ${LEASED_STATUSES_SQL} AND lease_expires_at <= @now ${filters(queues, names)}
        ORDER BY lease_expires_at LIMIT @limit)
      ORDER BY k, id LIMIT @limit`;
  const nextDue = (queues: boolean, names: boolean): string => `
      SELECT MIN(k) AS k FROM (
        SELECT MIN(due_at) AS k FROM ${t.tasks} INDEXED BY ${t.tasks}_due WHERE ${DUE_STATUSES_SQL} AND due_at IS NOT NULL ${filters(queues, names)}
        UNION ALL
        SELECT MIN(lease_expires_at) AS k FROM ${t.tasks} INDEXED BY ${t.tasks}_lease_expiry
        WHERE ${LEASED_STATUSES_SQL} AND lease_expires_at IS NOT NULL ${filters(queues, names)})`;
  return {
    candidates: perFilter(prepare, dueCandidates),
    claim: prepare(
      `UPDATE ${t.tasks} SET status = 'queued', lease_owner = ?, lease_expires_at = ?, updated_at = ?
         WHERE id IN (SELECT value FROM json_each(?)) RETURNING *`,
    ),
    renew: prepare(
      `UPDATE ${t.tasks} INDEXED BY ${t.tasks}_lease_owner SET lease_expires_at = ? WHERE lease_owner = ? AND ${LEASED_STATUSES_SQL}`,
    ),
    renewIds: prepare(
      `UPDATE ${t.tasks} SET lease_expires_at = ? WHERE lease_owner = ? AND ${LEASED_STATUSES_SQL} AND id IN (SELECT value FROM json_each(?))`,
    ),
    nextDue: perFilter(prepare, nextDue),
  };
}

/** The named parameters of the filters a statement applies. */
function filterParameters(queuesJson: string | undefined, namesJson: string | undefined): Record<string, string> {
  return { ...(queuesJson === undefined ? {} : { queues: queuesJson }), ...(namesJson === undefined ? {} : { names: namesJson }) };
}

export interface ClaimArguments {
  owner: string;
  now: number;
  limit: number;
  leaseMs: number;
  /** The queues as a JSON array, or `undefined` for every queue. */
  queuesJson: string | undefined;
  /** The task names as a JSON array, or `undefined` for every name. */
  namesJson: string | undefined;
}

/** Claims up to `limit` due or lease-expired tasks, earliest first, leased to `owner`. */
export function claimDueTasks(session: Session, { owner, now, limit, leaseMs, queuesJson, namesJson }: ClaimArguments): StoredTask[] {
  const statements = session.statements.claims;
  const candidatesStatement = statements.candidates[claimFilter(queuesJson, namesJson)];
  const claim = session.db.transaction(() => {
    const candidates = candidatesStatement.all({ now, limit, ...filterParameters(queuesJson, namesJson) }) as { id: string }[];
    if (candidates.length === 0) return [];
    const order = new Map<string, number>();
    candidates.forEach((candidate, index) => order.set(candidate.id, index));
    const rows = statements.claim.all(owner, now + leaseMs, now, JSON.stringify(candidates.map((candidate) => candidate.id)));
    return rows.map(readers.task).sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  });
  // BEGIN IMMEDIATE: the write lock is taken before the candidates are read, so two processes
  // never pick the same rows.
  return claim.immediate();
}

/** Extends the leases `owner` holds (all of them, or those of `ids`); returns how many. */
export function renewLeases(session: Session, owner: string, expiresAt: number, ids: readonly string[] | undefined): number {
  const statements = session.statements.claims;
  if (ids === undefined) return statements.renew.run(expiresAt, owner).changes;
  return statements.renewIds.run(expiresAt, owner, JSON.stringify(ids)).changes;
}

/** The earliest due time or lease expiry (in `queues` and of task `names`, when given). */
export function nextDueAt(session: Session, queues: readonly string[] | undefined, names: readonly string[] | undefined): number | undefined {
  const queuesJson = queues === undefined ? undefined : JSON.stringify(queues);
  const namesJson = names === undefined ? undefined : JSON.stringify(names);
  const statement = session.statements.claims.nextDue[claimFilter(queuesJson, namesJson)];
  const row = statement.get(filterParameters(queuesJson, namesJson)) as { k: number | null };
  return row.k ?? undefined;
}
