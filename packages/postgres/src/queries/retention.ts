import type { RetentionPolicy, RetentionResult } from 'evertask';
import type { QueryContext } from '../connection.js';

/** Retention: `cleanup` deletes old finished one-off tasks and old history in one statement. */
export class RetentionQueries {
  readonly #context: QueryContext;
  readonly #cleanupSql: string;

  constructor(context: QueryContext) {
    this.#context = context;
    const s = context.quotedSchema;
    this.#cleanupSql = `WITH gone AS (
  DELETE FROM ${s}.tasks
  WHERE recurring IS NULL AND (
    ($1::int8 IS NOT NULL AND status = 'completed' AND updated_at < $1::int8)
    OR ($2::int8 IS NOT NULL AND status IN ('failed', 'cancelled') AND updated_at < $2::int8))
  RETURNING 1
), sa AS (
  DELETE FROM ${s}.status_audit WHERE at < $3::int8 RETURNING 1
), ra AS (
  DELETE FROM ${s}.run_audit WHERE at < $3::int8 RETURNING 1
), lg AS (
  DELETE FROM ${s}.execution_logs WHERE at < $4::int8 RETURNING 1
)
SELECT (SELECT count(*) FROM gone)::int AS tasks,
  ((SELECT count(*) FROM sa) + (SELECT count(*) FROM ra))::int AS audits,
  (SELECT count(*) FROM lg)::int AS logs`;
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
