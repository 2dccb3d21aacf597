import {
  AUDIT_LEVELS,
  LOG_LEVELS,
  StorageError,
  TASK_STATUSES,
  type AuditLevel,
  type ExecutionLogEntry,
  type LogLevel,
  type RunAuditEntry,
  type RunOutcome,
  type StatusAuditEntry,
  type StoredTask,
  type TaskPatch,
  type TaskStatus,
  STORED_TASK_COLUMNS,
  COLUMN_OF_FIELD,
  TASK_PATCH_FIELDS,
  checkInstanceRecord,
  type InstanceRecord,
} from 'evertask';

/** Task columns in insert order, paired with the `StoredTask` field each one stores. */
export const TASK_COLUMNS = STORED_TASK_COLUMNS;

/** Column of each patchable field. */
export const PATCH_COLUMNS: Readonly<Record<keyof TaskPatch, string>> = COLUMN_OF_FIELD;

export const PATCH_FIELDS: readonly (keyof TaskPatch)[] = TASK_PATCH_FIELDS;

export type SqlValue = string | number | bigint | null;

/** Parameters of the single-row task insert, in `TASK_COLUMNS` order. */
export function taskToParams(task: StoredTask): SqlValue[] {
  return [
    task.id,
    task.name,
    task.payload,
    task.status,
    task.queue,
    task.taskKey ?? null,
    task.auditLevel,
    task.createdAt,
    task.updatedAt,
    task.scheduledAt ?? null,
    task.dueAt ?? null,
    task.attempts ?? 0,
    task.lastExecutionAt ?? null,
    task.executionTimeMs ?? null,
    task.error ?? null,
    task.leaseOwner ?? null,
    task.leaseExpiresAt ?? null,
    task.recoveryFailures ?? 0,
    task.recurring ?? null,
    task.recurringInfo ?? null,
    task.runCount ?? 0,
    task.maxRuns ?? null,
    task.runUntil ?? null,
    task.lastOutcome ?? null,
  ];
}

const STATUS_SET = new Set<string>(TASK_STATUSES);
const AUDIT_LEVEL_SET = new Set<string>(AUDIT_LEVELS);
const LOG_LEVEL_SET = new Set<string>(LOG_LEVELS);
const OUTCOME_SET = new Set<string>(['completed', 'failed']);

type Row = Record<string, unknown>;

function bad(what: string, id: unknown, column: string, value: unknown): StorageError {
  let shown: string;
  try {
    shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 100)) : String(value);
  } catch {
    shown = typeof value;
  }
  return new StorageError(
    `SQLite storage: ${what} ${String(id)} has an invalid value in column "${column}": ${shown}. ` +
      `The row was written outside EverTask or is corrupt; fix or delete it.`,
  );
}

/** Maps and validates one instances row (queues are stored as a JSON array). */
export function rowToInstance(row: Row): InstanceRecord {
  let queues: unknown;
  try {
    queues = typeof row.queues === 'string' ? JSON.parse(row.queues) : row.queues;
  } catch {
    throw bad('instance', row.id, 'queues', row.queues);
  }
  const record = {
    id: row.id,
    hostname: row.hostname,
    pid: row.pid,
    startedAt: row.started_at,
    heartbeatAt: row.heartbeat_at,
    expiresAt: row.expires_at,
    queues,
  };
  try {
    return checkInstanceRecord(record, 'SqliteStorage.listInstances');
  } catch (error) {
    throw new StorageError(
      `SQLite storage: instance ${String(row.id)} is malformed: ${(error as Error).message} The row was written outside EverTask or is corrupt; fix or delete it.`,
      { cause: error },
    );
  }
}

/** A reader that validates each column of one row and names the row and column when one is wrong. */
class RowReader {
  constructor(
    private readonly row: Row,
    private readonly what: string,
    private readonly id: unknown,
  ) {}

  text(column: string): string {
    const v = this.row[column];
    if (typeof v !== 'string') throw bad(this.what, this.id, column, v);
    return v;
  }

  textOrNull(column: string): string | null {
    const v = this.row[column];
    if (v === null || v === undefined) return null;
    if (typeof v !== 'string') throw bad(this.what, this.id, column, v);
    return v;
  }

  /**
   * A finite number; `integer` demands a whole number (counters). Times are whole milliseconds when
   * the engine writes them, but any finite number the port accepted reads back unchanged.
   */
  number(column: string, integer = true): number {
    const v = this.row[column];
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      throw bad(this.what, this.id, column, v);
    }
    return v;
  }

  numberOrNull(column: string, integer = true): number | null {
    const v = this.row[column];
    if (v === null || v === undefined) return null;
    return this.number(column, integer);
  }

  oneOf<T extends string>(column: string, allowed: Set<string>): T {
    const v = this.row[column];
    if (typeof v !== 'string' || !allowed.has(v)) throw bad(this.what, this.id, column, v);
    return v as T;
  }

  oneOfOrNull<T extends string>(column: string, allowed: Set<string>): T | null {
    const v = this.row[column];
    if (v === null || v === undefined) return null;
    return this.oneOf<T>(column, allowed);
  }
}

/** Maps a task row to a `StoredTask`, throwing `StorageError` naming the id and column on bad data. */
export function rowToTask(row: Row): StoredTask {
  const r = new RowReader(row, 'task', row['id']);
  return {
    id: r.text('id'),
    name: r.text('name'),
    payload: r.text('payload'),
    status: r.oneOf<TaskStatus>('status', STATUS_SET),
    queue: r.text('queue'),
    taskKey: r.textOrNull('task_key'),
    auditLevel: r.oneOf<AuditLevel>('audit_level', AUDIT_LEVEL_SET),
    createdAt: r.number('created_at', false),
    updatedAt: r.number('updated_at', false),
    scheduledAt: r.numberOrNull('scheduled_at', false),
    dueAt: r.numberOrNull('due_at', false),
    attempts: r.number('attempts'),
    lastExecutionAt: r.numberOrNull('last_execution_at', false),
    executionTimeMs: r.numberOrNull('execution_time_ms', false),
    error: r.textOrNull('error'),
    leaseOwner: r.textOrNull('lease_owner'),
    leaseExpiresAt: r.numberOrNull('lease_expires_at', false),
    recoveryFailures: r.number('recovery_failures'),
    recurring: r.textOrNull('recurring'),
    recurringInfo: r.textOrNull('recurring_info'),
    runCount: r.number('run_count'),
    maxRuns: r.numberOrNull('max_runs'),
    runUntil: r.numberOrNull('run_until', false),
    lastOutcome: r.oneOfOrNull<RunOutcome>('last_outcome', OUTCOME_SET),
  };
}

export function rowToStatusAudit(row: Row): StatusAuditEntry {
  const r = new RowReader(row, 'status audit row of task', row['task_id']);
  return {
    taskId: r.text('task_id'),
    status: r.oneOf<TaskStatus>('status', STATUS_SET),
    at: r.number('at', false),
    error: r.textOrNull('error'),
  };
}

export function rowToRunAudit(row: Row): RunAuditEntry {
  const r = new RowReader(row, 'run audit row of task', row['task_id']);
  return {
    taskId: r.text('task_id'),
    at: r.number('at', false),
    status: r.oneOf<TaskStatus>('status', STATUS_SET),
    executionTimeMs: r.number('execution_time_ms', false),
    error: r.textOrNull('error'),
  };
}

export function rowToLog(row: Row): ExecutionLogEntry {
  const r = new RowReader(row, 'execution log', row['id']);
  return {
    id: r.text('id'),
    taskId: r.text('task_id'),
    at: r.number('at', false),
    level: r.oneOf<LogLevel>('level', LOG_LEVEL_SET),
    message: r.text('message'),
    exception: r.textOrNull('exception'),
    sequence: r.number('sequence'),
  };
}

/** Converts a patch value for binding (better-sqlite3 binds no `undefined` or booleans). */
export function toSqlValue(value: unknown): SqlValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return String(value);
}
