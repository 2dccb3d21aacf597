import { StorageError, type ExecutionLogEntry, type RunAuditEntry, type StatusAuditEntry } from 'evertask';
import { chunks, readers } from '../row-mapping.js';
import type { QueryContext } from './context.js';

const LOG_COLUMNS = ['id', 'task_id', 'at', 'level', 'message', 'exception', 'sequence'] as const;

/** The history of a task (arguments checked by the storage): its status and run audit trails and its execution logs. */
export class HistoryQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  async getStatusAudit(taskId: string): Promise<StatusAuditEntry[]> {
    const rows = await this.#context.connection.run(
      'getStatusAudit',
      (db) => db.selectFrom(this.#context.tables.statusAudit).select(['task_id', 'status', 'at', 'error', 'actor']).where('task_id', '=', taskId).orderBy('at').orderBy('id').execute(),
      { idempotent: true },
    );
    return rows.map(readers.statusAudit);
  }

  async getRunAudit(taskId: string): Promise<RunAuditEntry[]> {
    const rows = await this.#context.connection.run(
      'getRunAudit',
      (db) => db.selectFrom(this.#context.tables.runAudit).select(['task_id', 'at', 'status', 'execution_time_ms', 'error']).where('task_id', '=', taskId).orderBy('at').orderBy('id').execute(),
      { idempotent: true },
    );
    return rows.map(readers.runAudit);
  }

  /** Appends logs of a stored task, in one transaction that first checks (and locks, on SQLite) that the task exists. */
  async saveExecutionLogs(taskId: string, logs: readonly ExecutionLogEntry[]): Promise<void> {
    if (logs.length === 0) return;
    const { tasks, executionLogs } = this.#context.tables;
    await this.#context.connection.transaction('saveExecutionLogs', async (db) => {
      const task = await db.selectFrom(tasks).select('id').where('id', '=', taskId).executeTakeFirst();
      if (task === undefined) throw new StorageError(`KyselyStorage.saveExecutionLogs failed: cannot save logs of unknown task "${taskId}".`);
      for (const chunk of chunks(logs, this.#context.chunkSize)) {
        await db
          .insertInto(executionLogs)
          .values(chunk.map((log) => ({ id: log.id, task_id: taskId, at: log.at, level: log.level, message: log.message, exception: log.exception, sequence: log.sequence })))
          .execute();
      }
    });
  }

  /** A page of a task's logs, only `levels` when given (the minimum level and above). */
  async getExecutionLogs(taskId: string, skip: number, take: number, levels?: readonly string[]): Promise<ExecutionLogEntry[]> {
    if (take === 0) return [];
    const rows = await this.#context.connection.run(
      'getExecutionLogs',
      (db) => {
        let query = db.selectFrom(this.#context.tables.executionLogs).select([...LOG_COLUMNS]).where('task_id', '=', taskId);
        if (levels !== undefined) query = query.where('level', 'in', levels);
        return query.orderBy('at').orderBy('sequence').orderBy('id').limit(take).offset(skip).execute();
      },
      { idempotent: true },
    );
    return rows.map(readers.executionLog);
  }
}
