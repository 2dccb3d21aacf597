import type { RetentionPolicy, RetentionResult } from 'evertask';
import { affectedRows, type QueryContext } from '../connection.js';

/** Retention: `cleanup` deletes old finished one-off tasks (their history first, counted) and old history rows, in one transaction. */
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
    // a task's history is deleted (and counted) before the task, so that the cascade leaves nothing uncounted
    const removeTasks = (where: string, before: number | undefined): void => {
      add('audits', `DELETE h FROM ${statusAudit} h JOIN ${tasks} t ON t.id = h.task_id WHERE ${where}`, before);
      add('audits', `DELETE h FROM ${runAudit} h JOIN ${tasks} t ON t.id = h.task_id WHERE ${where}`, before);
      add('logs', `DELETE h FROM ${executionLogs} h JOIN ${tasks} t ON t.id = h.task_id WHERE ${where}`, before);
      add('tasks', `DELETE t FROM ${tasks} t WHERE ${where}`, before);
    };
    removeTasks(`t.recurring IS NULL AND t.status = 'completed' AND t.updated_at < ?`, policy.completedBefore);
    removeTasks(`t.recurring IS NULL AND t.status IN ('failed', 'cancelled') AND t.updated_at < ?`, policy.failedBefore);
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
