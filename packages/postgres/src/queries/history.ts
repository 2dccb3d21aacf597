import { InvalidArgumentError, StorageError, type ExecutionLogEntry, type RunAuditEntry, type StatusAuditEntry } from 'evertask';
import type { QueryContext } from '../connection.js';
import { checkInteger, checkLog, isUuid } from '../input-validation.js';
import { sqlState, toStorageError } from '../postgres-errors.js';
import { rowToLog, rowToRunAudit, rowToStatusAudit } from '../row-mapping.js';

/** The history of a task: its status and run audit trails and its execution logs. */
export class HistoryQueries {
  readonly #context: QueryContext;
  readonly #sql: { statusAudit: string; runAudit: string; saveLogs: string; getLogs: string; countLogs: string };

  constructor(context: QueryContext) {
    this.#context = context;
    const s = context.quotedSchema;
    this.#sql = {
      statusAudit: `SELECT task_id::text AS task_id, status, at, error FROM ${s}.status_audit
WHERE task_id = $1::uuid ORDER BY at, id`,
      runAudit: `SELECT task_id::text AS task_id, at, status, execution_time_ms, error FROM ${s}.run_audit
WHERE task_id = $1::uuid ORDER BY at, id`,
      saveLogs: `INSERT INTO ${s}.execution_logs (id, task_id, at, level, message, exception, sequence)
SELECT l.id, $1::uuid, l.at, l.level, l.message, l.exception, l.sequence
FROM unnest($2::uuid[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::int4[])
  AS l(id, at, level, message, exception, sequence)`,
      getLogs: `SELECT id::text AS id, task_id::text AS task_id, at, level, message, exception, sequence
FROM ${s}.execution_logs WHERE task_id = $1::uuid ORDER BY at, sequence, execution_logs.id OFFSET $2 LIMIT $3`,
      countLogs: `SELECT count(*)::int AS n FROM ${s}.execution_logs WHERE task_id = $1::uuid`,
    };
  }

  async getStatusAudit(taskId: string): Promise<StatusAuditEntry[]> {
    const connection = this.#context.connection;
    if (!isUuid(taskId)) return [];
    const res = await connection.run('getStatusAudit', connection.statement('status_audit', this.#sql.statusAudit, [taskId]));
    return res.rows.map(rowToStatusAudit);
  }

  async getRunAudit(taskId: string): Promise<RunAuditEntry[]> {
    const connection = this.#context.connection;
    if (!isUuid(taskId)) return [];
    const res = await connection.run('getRunAudit', connection.statement('run_audit', this.#sql.runAudit, [taskId]));
    return res.rows.map(rowToRunAudit);
  }

  async saveExecutionLogs(taskId: string, logs: readonly ExecutionLogEntry[]): Promise<void> {
    const connection = this.#context.connection;
    if (!isUuid(taskId)) throw new InvalidArgumentError(`saveExecutionLogs: "taskId" must be a UUID string; received ${String(taskId)}.`);
    if (!Array.isArray(logs)) throw new InvalidArgumentError('saveExecutionLogs: "logs" must be an array.');
    logs.forEach((log, i) => checkLog(log, `saveExecutionLogs: logs[${i}]`));
    if (logs.length === 0) return;
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

  async getExecutionLogs(taskId: string, skip = 0, take = 1000): Promise<ExecutionLogEntry[]> {
    const connection = this.#context.connection;
    checkInteger(skip, 'getExecutionLogs: "skip"', 0);
    checkInteger(take, 'getExecutionLogs: "take"', 0);
    if (!isUuid(taskId) || take === 0) return [];
    const res = await connection.run('getExecutionLogs', connection.statement('get_logs', this.#sql.getLogs, [taskId, skip, take]));
    return res.rows.map(rowToLog);
  }

  async countExecutionLogs(taskId: string): Promise<number> {
    const connection = this.#context.connection;
    if (!isUuid(taskId)) return 0;
    const res = await connection.run<{ n: number }>('countExecutionLogs', connection.statement('count_logs', this.#sql.countLogs, [taskId]));
    return res.rows[0]?.n ?? 0;
  }
}
