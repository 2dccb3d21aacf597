import type { LogLevel, TaskStatus } from './ports/task-record.js';
import type { TaskStorage } from './ports/task-storage.js';
import { LOG_LEVELS } from './ports/task-record.js';
import { InvalidArgumentError } from './errors.js';
import { checkOptionsObject, optionKeys } from './option-keys.js';
import { storageCall } from './storage/storage-call.js';
import { describeValue } from './describe-value.js';

/** One status change of a task, as `getTaskHistory` returns it. */
export interface TaskStatusChange {
  status: TaskStatus;
  at: Date;
  /** Error text recorded with the change (a failure, a retry), else null. */
  error: string | null;
  /** Who asked for the change (`cancel`, `runNow`, `retry` with an `actor`), or null for the engine itself. */
  actor: string | null;
}

/** One finished run of a recurring task, as `getTaskHistory` returns it. */
export interface TaskRun {
  /** When the run finished. */
  at: Date;
  /** How it ended: `completed` or `failed`. */
  status: TaskStatus;
  executionTimeMs: number;
  error: string | null;
}

/** The audit trail of one task: its status changes and, for a recurring series, its runs; oldest first. */
export interface TaskHistory {
  taskId: string;
  statuses: TaskStatusChange[];
  runs: TaskRun[];
}

/** One captured execution-log entry, as `getTaskLogs` returns it. */
export interface TaskLogEntry {
  id: string;
  at: Date;
  level: LogLevel;
  message: string;
  /** The recorded error (name, message, stack) when the entry had one. */
  exception: string | null;
  /** 0, 1, 2… within one execution. */
  sequence: number;
}

/** Options of `getTaskLogs`. */
export interface TaskLogQuery {
  /** Entries to skip (of those matching `level`). @defaultValue 0 */
  skip?: number;
  /** Entries to return, 1–1000. @defaultValue 100 */
  take?: number;
  /** Only entries at this level or above (`'warning'`: warnings, errors, critical). @defaultValue every level */
  level?: LogLevel;
}

/** A page of a task's execution log, oldest first. */
export interface TaskLogPage {
  items: TaskLogEntry[];
  /** Entries matching the query's `level`, on every page. */
  total: number;
}

const LOG_QUERY_KEYS = optionKeys<TaskLogQuery>({ skip: true, take: true, level: true });

function checkTaskId(id: unknown, method: string): asserts id is string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new InvalidArgumentError(`${method} takes a task id (a non-empty string); received ${describeValue(id)}.`);
  }
}

/** What `EverTask.getTaskHistory` returns: the audit rows of the storage with Dates. */
export async function readTaskHistory(storage: TaskStorage, id: unknown): Promise<TaskHistory> {
  checkTaskId(id, 'getTaskHistory');
  const [statuses, runs] = await Promise.all([
    storageCall('getStatusAudit', () => storage.getStatusAudit(id)),
    storageCall('getRunAudit', () => storage.getRunAudit(id)),
  ]);
  return {
    taskId: id,
    statuses: statuses.map((row) => ({ status: row.status, at: new Date(row.at), error: row.error, actor: row.actor })),
    runs: runs.map((row) => ({ at: new Date(row.at), status: row.status, executionTimeMs: row.executionTimeMs, error: row.error })),
  };
}

function checkQuery(query: TaskLogQuery): { skip: number; take: number; minLevel: LogLevel | undefined } {
  checkOptionsObject(query, LOG_QUERY_KEYS, 'getTaskLogs options');
  const skip = query.skip ?? 0;
  if (!Number.isInteger(skip) || skip < 0) throw new InvalidArgumentError(`getTaskLogs skip must be an integer ≥ 0; received ${describeValue(skip)}.`);
  const take = query.take ?? 100;
  if (!Number.isInteger(take) || take < 1 || take > 1000) {
    throw new InvalidArgumentError(`getTaskLogs take must be an integer from 1 to 1000; received ${describeValue(take)}.`);
  }
  if (query.level !== undefined && !LOG_LEVELS.includes(query.level)) {
    throw new InvalidArgumentError(`getTaskLogs level must be one of ${LOG_LEVELS.join(', ')}; received ${describeValue(query.level)}.`);
  }
  return { skip, take, minLevel: query.level };
}

/** What `EverTask.getTaskLogs` returns: one filtered page from the storage and the matching total. */
export async function readTaskLogs(storage: TaskStorage, id: unknown, query: TaskLogQuery = {}): Promise<TaskLogPage> {
  checkTaskId(id, 'getTaskLogs');
  const { skip, take, minLevel } = checkQuery(query);
  const [rows, total] = await Promise.all([
    storageCall('getExecutionLogs', () => storage.getExecutionLogs(id, skip, take, minLevel)),
    storageCall('countExecutionLogs', () => storage.countExecutionLogs(id, minLevel)),
  ]);
  return { items: rows.map(toLogEntry), total };
}

function toLogEntry(row: { id: string; at: number; level: LogLevel; message: string; exception: string | null; sequence: number }): TaskLogEntry {
  return { id: row.id, at: new Date(row.at), level: row.level, message: row.message, exception: row.exception, sequence: row.sequence };
}
