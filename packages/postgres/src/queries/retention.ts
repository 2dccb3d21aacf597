import type { RetentionPolicy, RetentionResult } from 'evertask';
import type { QueryContext } from '../connection.js';

/**
 * Retention: `cleanup` deletes old finished one-off tasks and old history in one statement. The
 * history of a deleted task is deleted by the statement itself (the foreign keys' cascade then finds
 * nothing left), so that the result counts it; a row both old and of a deleted task counts once.
 */
export class RetentionQueries {
  readonly #context: QueryContext;
  readonly #cleanupSql: string;

  constructor(context: QueryContext) {
    this.#context = context;
    const s = context.quotedSchema;
    // Per history table two disjoint deletes: the rows older than the cutoff (on the `at` index)
    // and the remaining rows of the deleted tasks (on the task index).
    const history = (table: string, cutoff: string): string =>
      `${table}_old AS (DELETE FROM ${s}.${table} WHERE at < ${cutoff} RETURNING 1),
${table}_gone AS (DELETE FROM ${s}.${table}
  WHERE task_id IN (SELECT id FROM gone) AND (${cutoff} IS NULL OR at >= ${cutoff}) RETURNING 1)`;
    const removed = (table: string): string => `(SELECT count(*) FROM ${table}_old) + (SELECT count(*) FROM ${table}_gone)`;
    this.#cleanupSql = `WITH gone AS (
  DELETE FROM ${s}.tasks
  WHERE recurring IS NULL AND (
    ($1::int8 IS NOT NULL AND status = 'completed' AND updated_at < $1::int8)
    OR ($2::int8 IS NOT NULL AND status IN ('failed', 'cancelled') AND updated_at < $2::int8))
  RETURNING id
), ${history('status_audit', '$3::int8')}, ${history('run_audit', '$3::int8')}, ${history('execution_logs', '$4::int8')}
SELECT (SELECT count(*) FROM gone)::int AS tasks,
  (${removed('status_audit')} + ${removed('run_audit')})::int AS audits,
  (${removed('execution_logs')})::int AS logs`;
  }

  async cleanup(policy: RetentionPolicy): Promise<RetentionResult> {
    const connection = this.#context.connection;
    const times = (['completedBefore', 'failedBefore', 'auditBefore', 'logsBefore'] as const).map((key) => policy[key] ?? null);
    const res = await connection.run<{ tasks: number; audits: number; logs: number }>('cleanup', {
      text: this.#cleanupSql,
      values: times,
    });
    const row = res.rows[0];
    return { tasks: row?.tasks ?? 0, audits: row?.audits ?? 0, logs: row?.logs ?? 0 };
  }
}
