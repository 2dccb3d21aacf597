import { StorageError, type ExecutionLogEntry, type LogLevel, type RunAuditEntry, type StatusAuditEntry } from 'evertask';
import type { QueryContext } from '../connection.js';
import { sqlState, toStorageError } from '../postgres-errors.js';
import { readers } from '../row-mapping.js';

/** The history of a task (arguments checked by the storage): its status and run audit trails and its execution logs. */
export class HistoryQueries {
  readonly #context: QueryContext;
  readonly #sql: { statusAudit: string; runAudit: string; saveLogs: string; getLogs: string; getLogsOfLevels: string };

  constructor(context: QueryContext) {
    this.#context = context;
    const s = context.quotedSchema;
    this.#sql = {
      statusAudit: `SELECT task_id::text AS task_id, status, at, error, actor FROM ${s}.status_audit
WHERE task_id = $1::uuid ORDER BY at, id`,
      runAudit: `SELECT task_id::text AS task_id, at, status, execution_time_ms, error FROM ${s}.run_audit
WHERE task_id = $1::uuid ORDER BY at, id`,
      saveLogs: `INSERT INTO ${s}.execution_logs (id, task_id, at, level, message, exception, sequence)
SELECT l.id, $1::uuid, l.at, l.level, l.message, l.exception, l.sequence
FROM unnest($2::uuid[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::int4[])
  AS l(id, at, level, message, exception, sequence)`,
      getLogs: `SELECT id::text AS id, task_id::text AS task_id, at, level, message, exception, sequence
FROM ${s}.execution_logs WHERE task_id = $1::uuid ORDER BY at, sequence, execution_logs.id OFFSET $2 LIMIT $3`,
      // the level is checked on the rows of the task's (task_id, at, sequence, id) index, in order
      getLogsOfLevels: `SELECT id::text AS id, task_id::text AS task_id, at, level, message, exception, sequence
FROM ${s}.execution_logs WHERE task_id = $1::uuid AND level = ANY ($4::text[])
ORDER BY at, sequence, execution_logs.id OFFSET $2 LIMIT $3`,
    };
  }

  async getStatusAudit(taskId: string): Promise<StatusAuditEntry[]> {
    const connection = this.#context.connection;
    const res = await connection.run('getStatusAudit', connection.statement('status_audit', this.#sql.statusAudit, [taskId]));
    return res.rows.map(readers.statusAudit);
  }

  async getRunAudit(taskId: string): Promise<RunAuditEntry[]> {
    const connection = this.#context.connection;
    const res = await connection.run('getRunAudit', connection.statement('run_audit', this.#sql.runAudit, [taskId]));
    return res.rows.map(readers.runAudit);
  }

  async saveExecutionLogs(taskId: string, logs: readonly ExecutionLogEntry[]): Promise<void> {
    const connection = this.#context.connection;
    const config = connection.statement('save_logs', this.#sql.saveLogs, [
      taskId,
      logs.map((l) => l.id),
      logs.map((l) => l.at),
      logs.map((l) => l.level),
      logs.map((l) => l.message),
      logs.map((l) => l.exception),
      logs.map((l) => l.sequence),
    ]);
    try {
      await connection.pool.query(config);
    } catch (error) {
      if (sqlState(error) === '23503') {
        throw new StorageError(`PostgresStorage.saveExecutionLogs failed: cannot save logs of unknown task "${taskId}".`, { cause: error });
      }
      throw toStorageError('saveExecutionLogs', error);
    }
  }

  async getExecutionLogs(taskId: string, skip: number, take: number, levels: readonly LogLevel[] | undefined): Promise<ExecutionLogEntry[]> {
    const connection = this.#context.connection;
    const config =
      levels === undefined
        ? connection.statement('get_logs', this.#sql.getLogs, [taskId, skip, take])
        : connection.statement('get_logs_of_levels', this.#sql.getLogsOfLevels, [taskId, skip, take, levels]);
    const res = await connection.run('getExecutionLogs', config);
    return res.rows.map(readers.executionLog);
  }

}
