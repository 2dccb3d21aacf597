import { StorageError, LOG_LEVELS, type ExecutionLogEntry, type LogLevel, type RunAuditEntry, type StatusAuditEntry } from 'evertask';
import type { QueryContext } from '../connection.js';
import { logMember, scriptJson, readLogMember, readRunAuditMember, readStatusAuditMember } from '../row-mapping.js';

/**
 * The history of a task (arguments checked by the storage): sorted sets per task, scored by time.
 * Status and run audit members start with the deployment's sequence number (insertion order among
 * rows of one time), log members with the log's sequence and id (the (at, sequence, id) order).
 */
export class HistoryQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  async getStatusAudit(taskId: string): Promise<StatusAuditEntry[]> {
    const key = this.#context.keys.statusAudit(taskId);
    const members = await this.#context.connection.run('getStatusAudit', (client) => client.zrange(key, '0', '-1'));
    return members.map((member) => readStatusAuditMember(taskId, member, key));
  }

  async getRunAudit(taskId: string): Promise<RunAuditEntry[]> {
    const key = this.#context.keys.runAudit(taskId);
    const members = await this.#context.connection.run('getRunAudit', (client) => client.zrange(key, '0', '-1'));
    return members.map((member) => readRunAuditMember(taskId, member, key));
  }

  async saveExecutionLogs(taskId: string, logs: readonly ExecutionLogEntry[]): Promise<void> {
    const rows: string[] = [];
    for (const log of logs) rows.push(String(log.at), logMember(log));
    const saved = await this.#context.connection.script<number>('saveExecutionLogs', 'save-logs', [taskId, scriptJson(rows)]);
    if (saved !== 1) throw new StorageError(`RedisStorage.saveExecutionLogs failed: cannot save logs of unknown task "${taskId}".`);
  }

  /** A page of a task's logs; with `levels`, only those (the page counted among them). */
  async getExecutionLogs(taskId: string, skip: number, take: number, levels?: readonly LogLevel[]): Promise<ExecutionLogEntry[]> {
    const key = this.#context.keys.logs(taskId);
    const connection = this.#context.connection;
    if (levels === undefined || levels.length === LOG_LEVELS.length) {
      const members = await connection.run('getExecutionLogs', (client) => client.zrange(key, String(skip), String(skip + take - 1)));
      return members.map((member) => readLogMember(taskId, member, key));
    }
    // a level filter reads the task's logs and pages among the matching ones
    const wanted = new Set<string>(levels);
    const members = await connection.run('getExecutionLogs', (client) => client.zrange(key, '0', '-1'));
    return members
      .map((member) => readLogMember(taskId, member, key))
      .filter((log) => wanted.has(log.level))
      .slice(skip, skip + take);
  }
}
