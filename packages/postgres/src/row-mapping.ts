import {
  AUDIT_LEVELS,
  LOG_LEVELS,
  StorageError,
  TASK_STATUSES,
  COLUMN_OF_FIELD,
  checkInstanceRecord,
  type ExecutionLogEntry,
  type InstanceRecord,
  type LogLevel,
  type RunAuditEntry,
  type RunOutcome,
  type StatusAuditEntry,
  type StoredTask,
} from 'evertask';
import { describeValue } from './postgres-errors.js';

/** Columns of the tasks table, in the order `add` inserts them. */
export const TASK_COLUMNS = [
  'id',
  'name',
  'payload',
  'status',
  'queue',
  'task_key',
  'audit_level',
  'created_at',
  'updated_at',
  'scheduled_at',
  'due_at',
  'attempts',
  'last_execution_at',
  'execution_time_ms',
  'error',
  'lease_owner',
  'lease_expires_at',
  'recovery_failures',
  'recurring',
  'recurring_info',
  'run_count',
  'max_runs',
  'run_until',
  'last_outcome',
] as const;

export type TaskColumn = (typeof TASK_COLUMNS)[number];

/** PostgreSQL array type of each column, for `unnest($n::type[])`. */
export const TASK_COLUMN_TYPES: Record<TaskColumn, string> = {
  id: 'uuid',
  name: 'text',
  payload: 'text',
  status: 'text',
  queue: 'text',
  task_key: 'text',
  audit_level: 'text',
  created_at: 'int8',
  updated_at: 'int8',
  scheduled_at: 'int8',
  due_at: 'int8',
  attempts: 'int4',
  last_execution_at: 'int8',
  execution_time_ms: 'float8',
  error: 'text',
  lease_owner: 'text',
  lease_expires_at: 'int8',
  recovery_failures: 'int4',
  recurring: 'text',
  recurring_info: 'text',
  run_count: 'int4',
  max_runs: 'int4',
  run_until: 'int8',
  last_outcome: 'text',
};

/** Task field → column, for every field of `StoredTask`. */
export const FIELD_TO_COLUMN: Readonly<Record<keyof StoredTask, TaskColumn>> = COLUMN_OF_FIELD;

/** The outcomes a run can record (`last_outcome`). */
export const RUN_OUTCOMES: readonly RunOutcome[] = ['completed', 'failed'];

/** Task columns as selected (ids as text). */
export function taskSelectList(alias?: string): string {
  const p = alias === undefined ? '' : `${alias}.`;
  return TASK_COLUMNS.map((c) => (c === 'id' ? `${p}id::text AS id` : `${p}${c}`)).join(', ');
}

/** A tasks row as `pg` returns it (int8 as string). */
export type TaskRow = Record<TaskColumn, unknown>;

function malformed(id: unknown, column: string, value: unknown, expected: string): StorageError {
  return new StorageError(
    `PostgresStorage read a malformed row: task ${String(id)} has ${describeValue(value)} in column "${column}" (expected ${expected}).`,
  );
}

function readText(row: Record<string, unknown>, column: string, id: unknown): string {
  const value = row[column];
  if (typeof value !== 'string') throw malformed(id, column, value, 'text');
  return value;
}

function readTextOrNull(row: Record<string, unknown>, column: string, id: unknown): string | null {
  const value = row[column];
  if (value === null) return null;
  if (typeof value !== 'string') throw malformed(id, column, value, 'text or null');
  return value;
}

function readNumber(row: Record<string, unknown>, column: string, id: unknown): number {
  const value = row[column];
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw malformed(id, column, value, 'a number');
  return n;
}

function readNumberOrNull(row: Record<string, unknown>, column: string, id: unknown): number | null {
  return row[column] === null ? null : readNumber(row, column, id);
}

function readEnum<T extends string>(
  row: Record<string, unknown>,
  column: string,
  id: unknown,
  allowed: readonly T[],
): T {
  const value = row[column];
  if (!allowed.includes(value as T)) throw malformed(id, column, value, `one of ${allowed.join(', ')}`);
  return value as T;
}

/** Maps and validates one instances row. */
export function rowToInstance(row: Record<string, unknown>): InstanceRecord {
  // bigint columns arrive as strings; checkInstanceRecord names any field that is still wrong
  const int8 = (value: unknown): unknown => (typeof value === 'string' ? Number(value) : value);
  const record = {
    id: row.id,
    hostname: row.hostname,
    pid: row.pid,
    startedAt: int8(row.started_at),
    heartbeatAt: int8(row.heartbeat_at),
    expiresAt: int8(row.expires_at),
    queues: row.queues,
  };
  try {
    return checkInstanceRecord(record, 'PostgresStorage.listInstances');
  } catch (error) {
    throw new StorageError(`PostgresStorage read a malformed instance row ${describeValue(row.id)}: ${(error as Error).message}`, { cause: error });
  }
}

/** Maps and validates one tasks row. */
export function rowToTask(row: TaskRow): StoredTask {
  const r = row as Record<string, unknown>;
  const id = r.id;
  const lastOutcome = r.last_outcome === null ? null : readEnum(r, 'last_outcome', id, RUN_OUTCOMES);
  return {
    id: readText(r, 'id', id),
    name: readText(r, 'name', id),
    payload: readText(r, 'payload', id),
    status: readEnum(r, 'status', id, TASK_STATUSES),
    queue: readText(r, 'queue', id),
    taskKey: readTextOrNull(r, 'task_key', id),
    auditLevel: readEnum(r, 'audit_level', id, AUDIT_LEVELS),
    createdAt: readNumber(r, 'created_at', id),
    updatedAt: readNumber(r, 'updated_at', id),
    scheduledAt: readNumberOrNull(r, 'scheduled_at', id),
    dueAt: readNumberOrNull(r, 'due_at', id),
    attempts: readNumber(r, 'attempts', id),
    lastExecutionAt: readNumberOrNull(r, 'last_execution_at', id),
    executionTimeMs: readNumberOrNull(r, 'execution_time_ms', id),
    error: readTextOrNull(r, 'error', id),
    leaseOwner: readTextOrNull(r, 'lease_owner', id),
    leaseExpiresAt: readNumberOrNull(r, 'lease_expires_at', id),
    recoveryFailures: readNumber(r, 'recovery_failures', id),
    recurring: readTextOrNull(r, 'recurring', id),
    recurringInfo: readTextOrNull(r, 'recurring_info', id),
    runCount: readNumber(r, 'run_count', id),
    maxRuns: readNumberOrNull(r, 'max_runs', id),
    runUntil: readNumberOrNull(r, 'run_until', id),
    lastOutcome,
  };
}

export function rowToStatusAudit(row: Record<string, unknown>): StatusAuditEntry {
  const id = row.task_id;
  return {
    taskId: readText(row, 'task_id', id),
    status: readEnum(row, 'status', id, TASK_STATUSES),
    at: readNumber(row, 'at', id),
    error: readTextOrNull(row, 'error', id),
  };
}

export function rowToRunAudit(row: Record<string, unknown>): RunAuditEntry {
  const id = row.task_id;
  return {
    taskId: readText(row, 'task_id', id),
    at: readNumber(row, 'at', id),
    status: readEnum(row, 'status', id, TASK_STATUSES),
    executionTimeMs: readNumber(row, 'execution_time_ms', id),
    error: readTextOrNull(row, 'error', id),
  };
}

export function rowToLog(row: Record<string, unknown>): ExecutionLogEntry {
  const id = row.task_id;
  return {
    id: readText(row, 'id', id),
    taskId: readText(row, 'task_id', id),
    at: readNumber(row, 'at', id),
    level: readEnum<LogLevel>(row, 'level', id, LOG_LEVELS),
    message: readText(row, 'message', id),
    exception: readTextOrNull(row, 'exception', id),
    sequence: readNumber(row, 'sequence', id),
  };
}

/**
 * A PostgreSQL array literal (`{"a","b",NULL,1}`) for one column of `add`: every text element
 * quoted, with backslashes and double quotes escaped; numbers as written; null as NULL. The
 * statement casts it (`$1::text[]`, `$8::int8[]`…). Cheaper than the driver's generic array
 * encoding, which matters for thousand-row inserts.
 */
export function arrayLiteral(values: readonly unknown[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = 'NULL';
    else if (typeof v === 'number') parts[i] = String(v);
    else {
      const text = String(v);
      parts[i] = text.includes('"') || text.includes('\\') ? `"${text.replace(/["\\]/g, '\\$&')}"` : `"${text}"`;
    }
  }
  return `{${parts.join(',')}}`;
}

/** The value of column number `col` (in `TASK_COLUMNS` order) of a task. */
export function taskValue(task: StoredTask, col: number): unknown {
  switch (TASK_COLUMNS[col]) {
    case 'id': return task.id;
    case 'name': return task.name;
    case 'payload': return task.payload;
    case 'status': return task.status;
    case 'queue': return task.queue;
    case 'task_key': return task.taskKey;
    case 'audit_level': return task.auditLevel;
    case 'created_at': return task.createdAt;
    case 'updated_at': return task.updatedAt;
    case 'scheduled_at': return task.scheduledAt;
    case 'due_at': return task.dueAt;
    case 'attempts': return task.attempts;
    case 'last_execution_at': return task.lastExecutionAt;
    case 'execution_time_ms': return task.executionTimeMs;
    case 'error': return task.error;
    case 'lease_owner': return task.leaseOwner;
    case 'lease_expires_at': return task.leaseExpiresAt;
    case 'recovery_failures': return task.recoveryFailures;
    case 'recurring': return task.recurring;
    case 'recurring_info': return task.recurringInfo;
    case 'run_count': return task.runCount;
    case 'max_runs': return task.maxRuns;
    case 'run_until': return task.runUntil;
    case 'last_outcome': return task.lastOutcome;
    default: return null;
  }
}
