/** The audit trail (status changes, runs) and execution logs of tasks. */
import { StorageError, type ExecutionLogEntry, type LogLevel, type RunAuditEntry, type StatusAuditEntry } from 'evertask';
import { readers } from '../row-mapping.js';
import type { Prepare, QuerySession, Statement } from './query-session.js';
import type { TableNames } from './tables.js';

/** The connection as this module sees it. */
type Session = QuerySession<{ history: HistoryStatements; tasks: { exists: Statement } }>;

export interface HistoryStatements {
  insertStatusAudit: Statement;
  insertRunAudit: Statement;
  insertLog: Statement;
  statusAudit: Statement;
  runAudit: Statement;
  logs: Statement;
  logsOfLevels: Statement;
}

export function prepareHistoryStatements(prepare: Prepare, t: TableNames): HistoryStatements {
  return {
    insertStatusAudit: prepare(`INSERT INTO ${t.statusAudit} (task_id, status, at, error, actor) VALUES (?, ?, ?, ?, ?)`),
    insertRunAudit: prepare(
      `INSERT INTO ${t.runAudit} (task_id, at, status, execution_time_ms, error) VALUES (?, ?, ?, ?, ?)`,
    ),
    insertLog: prepare(
      `INSERT INTO ${t.logs} (id, task_id, at, level, message, exception, sequence) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    statusAudit: prepare(`SELECT task_id, status, at, error, actor FROM ${t.statusAudit} WHERE task_id = ? ORDER BY at, id`),
    runAudit: prepare(
      `SELECT task_id, at, status, execution_time_ms, error FROM ${t.runAudit} WHERE task_id = ? ORDER BY at, id`,
    ),
    logs: prepare(
      `SELECT id, task_id, at, level, message, exception, sequence FROM ${t.logs} WHERE task_id = ?
         ORDER BY at, sequence, id LIMIT ? OFFSET ?`,
    ),
    // the level is checked on the rows of the task's (task_id, at, sequence, id) index, in order
    logsOfLevels: prepare(
      `SELECT id, task_id, at, level, message, exception, sequence FROM ${t.logs} WHERE task_id = ?
         AND level IN (SELECT value FROM json_each(?)) ORDER BY at, sequence, id LIMIT ? OFFSET ?`,
    ),
  };
}

export function insertLog(session: Session, taskId: string, log: ExecutionLogEntry): void {
  session.statements.history.insertLog.run(log.id, taskId, log.at, log.level, log.message, log.exception ?? null, log.sequence);
}

export function statusAuditOf(session: Session, taskId: string): StatusAuditEntry[] {
  return session.statements.history.statusAudit.all(taskId).map(readers.statusAudit);
}
export function runAuditOf(session: Session, taskId: string): RunAuditEntry[] {
  return session.statements.history.runAudit.all(taskId).map(readers.runAudit);
}

/** Saves the logs of an existing task in one transaction; an unknown task is a `StorageError`. */
export function saveLogs(session: Session, taskId: string, logs: readonly ExecutionLogEntry[]): void {
  const save = session.db.transaction(() => {
    if (session.statements.tasks.exists.get(taskId) === undefined) {
      throw new StorageError(`SQLite storage (${session.location}): cannot save logs of unknown task "${taskId}".`);
    }
    for (const log of logs) insertLog(session, taskId, log);
  });
  save.immediate();
}

/** A task's logs ordered by (at, sequence, id), of `levels` only when given, `take` of them after `skip`. */
export function logsOf(session: Session, taskId: string, skip: number, take: number, levels: readonly LogLevel[] | undefined): ExecutionLogEntry[] {
  const { history } = session.statements;
  const rows = levels === undefined ? history.logs.all(taskId, take, skip) : history.logsOfLevels.all(taskId, JSON.stringify(levels), take, skip);
  return rows.map(readers.executionLog);
}
