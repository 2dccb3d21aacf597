import { StorageError, type ExecutionLogEntry, type RunAuditEntry, type StatusAuditEntry } from 'evertask';
import { rowsOf, type QueryContext } from '../connection.js';
import { errorNumber } from '../mysql-errors.js';
import { readers } from '../row-mapping.js';

/** The history of a task (arguments checked by the storage): its status and run audit trails and its execution logs. */
export class HistoryQueries {
  readonly #context: QueryContext;
  readonly #sql: { statusAudit: string; runAudit: string; saveLogs: string; getLogs: string; getLogsAtLevels: string };

  constructor(context: QueryContext) {
    this.#context = context;
    const { statusAudit, runAudit, executionLogs } = context.tables;
    this.#sql = {
      statusAudit: `SELECT task_id, status, at, error, actor FROM ${statusAudit} WHERE task_id = ? ORDER BY at, id`,
      runAudit: `SELECT task_id, at, status, execution_time_ms, error FROM ${runAudit} WHERE task_id = ? ORDER BY at, id`,
      saveLogs: `INSERT INTO ${executionLogs} (id, task_id, at, level, message, exception, sequence) VALUES ?`,
      getLogs: `SELECT id, task_id, at, level, message, exception, sequence FROM ${executionLogs}
WHERE task_id = ? ORDER BY at, sequence, id LIMIT ? OFFSET ?`,
      getLogsAtLevels: `SELECT id, task_id, at, level, message, exception, sequence FROM ${executionLogs}
WHERE task_id = ? AND level IN (?) ORDER BY at, sequence, id LIMIT ? OFFSET ?`,
    };
  }

  async getStatusAudit(taskId: string): Promise<StatusAuditEntry[]> {
    return rowsOf(await this.#context.connection.run('getStatusAudit', this.#sql.statusAudit, [taskId], { idempotent: true })).map(readers.statusAudit);
  }

  async getRunAudit(taskId: string): Promise<RunAuditEntry[]> {
    return rowsOf(await this.#context.connection.run('getRunAudit', this.#sql.runAudit, [taskId], { idempotent: true })).map(readers.runAudit);
  }

  async saveExecutionLogs(taskId: string, logs: readonly ExecutionLogEntry[]): Promise<void> {
    const rows = logs.map((log) => [log.id, taskId, log.at, log.level, log.message, log.exception, log.sequence]);
    try {
      await this.#context.connection.run('saveExecutionLogs', this.#sql.saveLogs, [rows]);
    } catch (error) {
      if (errorNumber((error as Error).cause) === 1452) {
        throw new StorageError(`MySqlStorage.saveExecutionLogs failed: cannot save logs of unknown task "${taskId}".`, { cause: error });
      }
      throw error;
    }
  }

  /** A page of a task's logs, only `levels` when given (the minimum level and above). */
  async getExecutionLogs(taskId: string, skip: number, take: number, levels?: readonly string[]): Promise<ExecutionLogEntry[]> {
    const [sql, values] = levels === undefined ? [this.#sql.getLogs, [taskId, take, skip]] : [this.#sql.getLogsAtLevels, [taskId, levels, take, skip]];
    return rowsOf(await this.#context.connection.run('getExecutionLogs', sql, values, { idempotent: true })).map(
      readers.executionLog,
    );
  }
}
