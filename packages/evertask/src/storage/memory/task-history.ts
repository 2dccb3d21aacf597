import { compareStrings, insertSorted } from '../../collections/sorted-insert.js';
import type { ExecutionLogEntry, LogLevel, RunAuditEntry, StatusAuditEntry } from '../../ports/task-record.js';

function compareAt(a: { at: number }, b: { at: number }): number {
  return a.at - b.at;
}

function compareLogs(a: ExecutionLogEntry, b: ExecutionLogEntry): number {
  return a.at - b.at || a.sequence - b.sequence || compareStrings(a.id, b.id);
}

function appendTo<T>(map: Map<string, T[]>, taskId: string, row: T, compare: (a: T, b: T) => number): void {
  let rows = map.get(taskId);
  if (rows === undefined) {
    rows = [];
    map.set(taskId, rows);
  }
  insertSorted(rows, row, compare);
}

/** Removes rows older than `before` from every list; returns how many. */
function pruneByAge<T extends { at: number }>(map: Map<string, T[]>, before: number): number {
  let removed = 0;
  for (const [taskId, rows] of map) {
    const kept = rows.filter((row) => row.at >= before);
    removed += rows.length - kept.length;
    if (kept.length === 0) map.delete(taskId);
    else if (kept.length !== rows.length) map.set(taskId, kept);
  }
  return removed;
}

/**
 * The history of the tasks of a `MemoryStorage`: status-audit and run-audit rows by time, execution
 * logs by (at, sequence, id), per task. Rows are copied in and out.
 */
export class TaskHistory {
  readonly #statusAudit = new Map<string, StatusAuditEntry[]>();
  readonly #runAudit = new Map<string, RunAuditEntry[]>();
  readonly #logs = new Map<string, ExecutionLogEntry[]>();

  appendStatusAudit(taskId: string, status: StatusAuditEntry['status'], at: number, error: string | null, actor: string | null): void {
    appendTo(this.#statusAudit, taskId, { taskId, status, at, error, actor }, compareAt);
  }

  appendRunAudit(taskId: string, run: Omit<RunAuditEntry, 'taskId'>): void {
    appendTo(this.#runAudit, taskId, { taskId, at: run.at, status: run.status, executionTimeMs: run.executionTimeMs, error: run.error }, compareAt);
  }

  /** Files copies of `logs` under `taskId` (whatever their own `taskId` says). */
  appendLogs(taskId: string, logs: readonly ExecutionLogEntry[]): void {
    for (const log of logs) {
      const copy: ExecutionLogEntry = { id: log.id, taskId, at: log.at, level: log.level, message: log.message, exception: log.exception, sequence: log.sequence };
      appendTo(this.#logs, taskId, copy, compareLogs);
    }
  }

  statusAudit(taskId: string): StatusAuditEntry[] {
    return (this.#statusAudit.get(taskId) ?? []).map((row) => ({ ...row }));
  }

  runAudit(taskId: string): RunAuditEntry[] {
    return (this.#runAudit.get(taskId) ?? []).map((row) => ({ ...row }));
  }

  /** A page of a task's logs, of the given `levels` only when given (the page counted among those). */
  logs(taskId: string, skip: number, take: number, levels: readonly LogLevel[] | undefined): ExecutionLogEntry[] {
    const all = this.#logs.get(taskId) ?? [];
    const selected = levels === undefined ? all : all.filter((log) => levels.includes(log.level));
    return selected.slice(skip, skip + take).map((log) => ({ ...log }));
  }

  /** How many logs a task has, of the given `levels` only when given. */
  logCount(taskId: string, levels?: readonly LogLevel[]): number {
    const all = this.#logs.get(taskId) ?? [];
    if (levels === undefined) return all.length;
    let count = 0;
    for (const log of all) if (levels.includes(log.level)) count++;
    return count;
  }

  /** Files every row of task `from` under task `to` (merged by time with any `to` has). */
  moveTask(from: string, to: string): void {
    for (const row of this.#statusAudit.get(from) ?? []) this.appendStatusAudit(to, row.status, row.at, row.error, row.actor);
    for (const row of this.#runAudit.get(from) ?? []) this.appendRunAudit(to, row);
    this.appendLogs(to, this.#logs.get(from) ?? []);
    this.deleteTask(from);
  }

  /** Forgets everything of one task; returns how many audit rows and logs went with it. */
  deleteTask(taskId: string): { audits: number; logs: number } {
    const audits = (this.#statusAudit.get(taskId)?.length ?? 0) + (this.#runAudit.get(taskId)?.length ?? 0);
    const logs = this.#logs.get(taskId)?.length ?? 0;
    this.#statusAudit.delete(taskId);
    this.#runAudit.delete(taskId);
    this.#logs.delete(taskId);
    return { audits, logs };
  }

  /** Removes status and run audit rows older than `before`; returns how many. */
  pruneAudits(before: number): number {
    return pruneByAge(this.#statusAudit, before) + pruneByAge(this.#runAudit, before);
  }

  /** Removes logs older than `before`; returns how many. */
  pruneLogs(before: number): number {
    return pruneByAge(this.#logs, before);
  }
}
