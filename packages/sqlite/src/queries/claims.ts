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

export interface ClaimStatements {
  candidates: Statement;
  candidatesInQueues: Statement;
  claim: Statement;
  renew: Statement;
  renewIds: Statement;
  nextDue: Statement;
  nextDueInQueues: Statement;
}

export function prepareClaimStatements(prepare: Prepare, t: TableNames): ClaimStatements {
  const inQueues = 'queue IN (SELECT value FROM json_each(?))';
  const dueCandidates = (queues: boolean): string => `
      SELECT id, k FROM (
        SELECT id, due_at AS k FROM ${t.tasks} INDEXED BY ${t.tasks}_due
        WHERE ${DUE_STATUSES_SQL} AND due_at <= @now ${queues ? `AND ${inQueues.replace('?', '@queues')}` : ''}
        ORDER BY due_at LIMIT @limit)
      UNION ALL
      SELECT id, k FROM (
        SELECT id, lease_expires_at AS k FROM ${t.tasks} INDEXED BY ${t.tasks}_lease_expiry
        WHERE ${LEASED_STATUSES_SQL} AND lease_expires_at <= @now ${queues ? `AND ${inQueues.replace('?', '@queues')}` : ''}
        ORDER BY lease_expires_at LIMIT @limit)
      ORDER BY k, id LIMIT @limit`;
  const nextDue = (queues: boolean): string => `
      SELECT MIN(k) AS k FROM (
        SELECT MIN(due_at) AS k FROM ${t.tasks} INDEXED BY ${t.tasks}_due WHERE ${DUE_STATUSES_SQL} AND due_at IS NOT NULL ${queues ? `AND ${inQueues}` : ''}
        UNION ALL
        SELECT MIN(lease_expires_at) AS k FROM ${t.tasks} INDEXED BY ${t.tasks}_lease_expiry
        WHERE ${LEASED_STATUSES_SQL} AND lease_expires_at IS NOT NULL ${queues ? `AND ${inQueues}` : ''})`;
  return {
    candidates: prepare(dueCandidates(false)),
    candidatesInQueues: prepare(dueCandidates(true)),
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
    nextDue: prepare(nextDue(false)),
    nextDueInQueues: prepare(nextDue(true)),
  };
}

export interface ClaimArguments {
  owner: string;
  now: number;
  limit: number;
  leaseMs: number;
  /** The queues as a JSON array, or `undefined` for every queue. */
  queuesJson: string | undefined;
}

/** Claims up to `limit` due or lease-expired tasks, earliest first, leased to `owner`. */
export function claimDueTasks(session: Session, { owner, now, limit, leaseMs, queuesJson }: ClaimArguments): StoredTask[] {
  const statements = session.statements.claims;
  const claim = session.db.transaction(() => {
    const candidates = (
      queuesJson === undefined
        ? statements.candidates.all({ now, limit })
        : statements.candidatesInQueues.all({ now, limit, queues: queuesJson })
    ) as { id: string }[];
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

/** The earliest due time or lease expiry (in `queues`, when given). */
export function nextDueAt(session: Session, queues: readonly string[] | undefined): number | undefined {
  const statements = session.statements.claims;
  const row =
    queues === undefined
      ? (statements.nextDue.get() as { k: number | null })
      : (statements.nextDueInQueues.get(JSON.stringify(queues), JSON.stringify(queues)) as { k: number | null });
  return row.k ?? undefined;
}
