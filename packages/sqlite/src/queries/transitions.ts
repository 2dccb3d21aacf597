/** Status changes: each guarded update with its audit rows, run audit and logs, a batch in one transaction. */
import type { TaskPatch, TaskTransition } from 'evertask';
import { COLUMN_OF_FIELD } from 'evertask/storage-kit';
import { toSqlValue, type SqlValue } from '../row-mapping.js';
import { insertLog, type HistoryStatements } from './history.js';
import type { QuerySession, Statement } from './query-session.js';

/** The connection as this module sees it. */
type Session = QuerySession<{ history: HistoryStatements; tasks: { exists: Statement } }>;

/** A validated transition and the patch fields it sets. */
export interface PreparedTransition {
  change: TaskTransition;
  fields: readonly (keyof TaskPatch)[];
}

/**
 * Applies the transitions in one `BEGIN IMMEDIATE` transaction; each applies only when the task is
 * in one of its `from` statuses (and leased to its `owner`, when given). Returns which applied.
 */
export function applyTransitions(session: Session, prepared: readonly PreparedTransition[]): boolean[] {
  const history = session.statements.history;
  const apply = session.db.transaction(() => {
    const applied: boolean[] = [];
    for (const { change, fields } of prepared) {
      if (change.from.length === 0) {
        applied.push(false);
        continue;
      }
      const owner = change.owner !== undefined;
      const key = `t|${fields.join(',')}|${change.from.length}|${owner ? 1 : 0}`;
      const statement = session.cached(key, () => {
        const sets = ['status = ?', 'updated_at = ?', ...fields.map((field) => `${COLUMN_OF_FIELD[field]} = ?`)];
        return (
          `UPDATE ${session.tables.tasks} SET ${sets.join(', ')} WHERE id = ? ` +
          `AND status IN (${change.from.map(() => '?').join(', ')})${owner ? ' AND lease_owner = ?' : ''} RETURNING id`
        );
      });
      const params: SqlValue[] = [change.to, change.at];
      for (const field of fields) params.push(toSqlValue(change.patch?.[field]));
      params.push(change.id, ...change.from);
      if (owner) params.push(toSqlValue(change.owner));
      const ok = statement.get(params) !== undefined;
      applied.push(ok);
      if (!ok) continue;
      if (change.priorAudits) {
        for (const audit of change.priorAudits) history.insertStatusAudit.run(change.id, audit.status, audit.at, audit.error ?? null, null);
      }
      if (change.audit) history.insertStatusAudit.run(change.id, change.to, change.at, change.audit.error ?? null, change.audit.actor ?? null);
      if (change.runAudit) {
        const run = change.runAudit;
        history.insertRunAudit.run(change.id, run.at, run.status, run.executionTimeMs, run.error ?? null);
      }
      if (change.logs) for (const log of change.logs) insertLog(session, change.id, log);
    }
    return applied;
  });
  return apply.immediate();
}
