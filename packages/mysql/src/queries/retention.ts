import type { RetentionPolicy, RetentionResult } from 'evertask';
import { affectedRows, type QueryContext } from '../connection.js';

/** Retention: `cleanup` deletes old finished one-off tasks (their history cascades) and old history rows, in one transaction. */
export class RetentionQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  async cleanup(policy: RetentionPolicy): Promise<RetentionResult> {
    const { tasks, statusAudit, runAudit, executionLogs } = this.#context.tables;
    const statements: { sql: string; values: unknown[] }[] = [];
    const kinds: ('tasks' | 'audits' | 'logs')[] = [];
    const add = (kind: 'tasks' | 'audits' | 'logs', sql: string, before: number | undefined): void => {
      if (before === undefined) return;
      statements.push({ sql, values: [before] });
      kinds.push(kind);
    };
    add('tasks', `DELETE FROM ${tasks} WHERE recurring IS NULL AND status = 'completed' AND updated_at < ?`, policy.completedBefore);
    add('tasks', `DELETE FROM ${tasks} WHERE recurring IS NULL AND status IN ('failed', 'cancelled') AND updated_at < ?`, policy.failedBefore);
    add('audits', `DELETE FROM ${statusAudit} WHERE at < ?`, policy.auditBefore);
    add('audits', `DELETE FROM ${runAudit} WHERE at < ?`, policy.auditBefore);
    add('logs', `DELETE FROM ${executionLogs} WHERE at < ?`, policy.logsBefore);
    const result: RetentionResult = { tasks: 0, audits: 0, logs: 0 };
    if (statements.length === 0) return result;
    const results = await this.#context.connection.script('cleanup', statements, { idempotent: true });
    results.forEach((outcome, index) => {
      result[kinds[index] as keyof RetentionResult] += affectedRows(outcome);
    });
    return result;
  }
}
