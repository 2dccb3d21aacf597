import type { RetentionPolicy, RetentionResult } from 'evertask';
import type { AnyKysely } from '../database.js';
import type { QueryContext } from './context.js';

/** Retention: `cleanup` deletes old finished one-off tasks (their history first, counted) and old history rows, in one transaction. */
export class RetentionQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  async cleanup(policy: RetentionPolicy): Promise<RetentionResult> {
    const { tasks, statusAudit, runAudit, executionLogs } = this.#context.tables;
    const { completedBefore, failedBefore, auditBefore, logsBefore } = policy;
    if ([completedBefore, failedBefore, auditBefore, logsBefore].every((cutoff) => cutoff === undefined)) return { tasks: 0, audits: 0, logs: 0 };
    return this.#context.connection.transaction(
      'cleanup',
      async (db) => {
        const result: RetentionResult = { tasks: 0, audits: 0, logs: 0 };
        const deleted = async (query: { executeTakeFirst(): Promise<{ numDeletedRows: bigint }> }): Promise<number> => Number((await query.executeTakeFirst()).numDeletedRows);
        /** Deletes finished one-off tasks in `statuses` last written before `before`, their history first. */
        const removeTasks = async (statuses: readonly string[], before: number | undefined): Promise<void> => {
          if (before === undefined) return;
          const doomed = (d: AnyKysely) =>
            d.selectFrom(tasks).select('id').where('recurring', 'is', null).where('status', 'in', statuses).where('updated_at', '<', before);
          // MySQL cannot read the table a DELETE deletes from in its subquery: the ids are read first
          const ids = (await doomed(db).execute()).map((row) => String(row.id));
          for (let start = 0; start < ids.length; start += 1000) {
            const slice = ids.slice(start, start + 1000);
            result.audits += await deleted(db.deleteFrom(statusAudit).where('task_id', 'in', slice));
            result.audits += await deleted(db.deleteFrom(runAudit).where('task_id', 'in', slice));
            result.logs += await deleted(db.deleteFrom(executionLogs).where('task_id', 'in', slice));
            result.tasks += await deleted(db.deleteFrom(tasks).where('id', 'in', slice));
          }
        };
        await removeTasks(['completed'], completedBefore);
        await removeTasks(['failed', 'cancelled'], failedBefore);
        if (auditBefore !== undefined) {
          result.audits += await deleted(db.deleteFrom(statusAudit).where('at', '<', auditBefore));
          result.audits += await deleted(db.deleteFrom(runAudit).where('at', '<', auditBefore));
        }
        if (logsBefore !== undefined) result.logs += await deleted(db.deleteFrom(executionLogs).where('at', '<', logsBefore));
        return result;
      },
      { idempotent: true },
    );
  }
}
