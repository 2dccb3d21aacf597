import { describeValue } from '../describe-value.js';
import { StorageError } from '../errors.js';
import type { ExecutionLogEntry, RunAuditEntry, StatusAuditEntry, StoredTask } from '../ports/task-record.js';
import type { InstanceRecord, StatusCount } from '../ports/task-storage.js';
import type { PausedQueue } from '../ports/queue-state.js';
import { checkInstanceRecord } from './instance-checks.js';
import {
  DEFAULT_STORAGE_LIMITS,
  EXECUTION_LOG_FIELDS,
  expectedOfField,
  fitsField,
  PAUSED_QUEUE_FIELDS,
  RUN_AUDIT_FIELDS,
  STATUS_AUDIT_FIELDS,
  STATUS_COUNT_FIELDS,
  type FieldSpec,
  type StorageLimits,
} from './field-types.js';
import { TASK_FIELDS } from './task-fields.js';

/** A row as a driver returns it: column name → value. */
export type Row = Readonly<Record<string, unknown>>;

const NUMERIC_TEXT = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

/**
 * A column value as the field's JavaScript value: drivers return 64-bit integers as text
 * (`pg`'s int8) or `bigint`, and some return numbers as text; those become numbers. Other values
 * pass unchanged (the check that follows names anything wrong).
 */
function columnValue(spec: FieldSpec, raw: unknown): unknown {
  if (spec.type !== 'time' && spec.type !== 'count' && spec.type !== 'duration') return raw;
  if (typeof raw === 'bigint') return Number(raw);
  if (typeof raw === 'string' && NUMERIC_TEXT.test(raw)) return Number(raw);
  return raw;
}

/**
 * Reads one row into a record of the given fields, each value converted (`columnValue`) and
 * checked against the contract. A value the contract does not allow means the stored data was
 * changed outside the library: it throws `StorageError` naming the row, the column and the value.
 */
export function readRow<T>(
  row: Row,
  fields: readonly FieldSpec[],
  storageName: string,
  what: string,
  limits: StorageLimits = DEFAULT_STORAGE_LIMITS,
): T {
  const record: Record<string, unknown> = {};
  for (const spec of fields) {
    const value = columnValue(spec, row[spec.column]);
    if (!fitsField(spec, value, limits)) {
      const owner = row.id ?? row.task_id;
      throw new StorageError(
        `${storageName} read a malformed ${what} row${owner === undefined ? '' : ` of ${describeValue(owner)}`}: ` +
          `column "${spec.column}" holds ${describeValue(row[spec.column])}, expected ${expectedOfField(spec, limits)}. ` +
          'The stored data was changed outside EverTask; repair or delete the row.',
      );
    }
    record[spec.field] = value;
  }
  return record as T;
}

/** A tasks row (columns of `TASK_COLUMNS`) as a `StoredTask`. */
export function readTaskRow(row: Row, storageName: string, limits?: StorageLimits): StoredTask {
  return readRow<StoredTask>(row, TASK_FIELDS, storageName, 'task', limits);
}

/** A status-audit row (`task_id, status, at, error, actor`). */
export function readStatusAuditRow(row: Row, storageName: string, limits?: StorageLimits): StatusAuditEntry {
  return readRow<StatusAuditEntry>(row, STATUS_AUDIT_FIELDS, storageName, 'status-audit', limits);
}

/** A paused-queue row (`queue, paused_at, paused_by`). */
export function readPausedQueueRow(row: Row, storageName: string, limits?: StorageLimits): PausedQueue {
  return readRow<PausedQueue>(row, PAUSED_QUEUE_FIELDS, storageName, 'paused-queue', limits);
}

/** A run-audit row (`task_id, at, status, execution_time_ms, error`). */
export function readRunAuditRow(row: Row, storageName: string, limits?: StorageLimits): RunAuditEntry {
  return readRow<RunAuditEntry>(row, RUN_AUDIT_FIELDS, storageName, 'run-audit', limits);
}

/** An execution-log row (`id, task_id, at, level, message, exception, sequence`). */
export function readExecutionLogRow(row: Row, storageName: string, limits?: StorageLimits): ExecutionLogEntry {
  return readRow<ExecutionLogEntry>(row, EXECUTION_LOG_FIELDS, storageName, 'execution-log', limits);
}

/** A row of `count` (`queue, status, n`) as a `StatusCount`. */
export function readStatusCountRow(row: Row, storageName: string, limits?: StorageLimits): StatusCount {
  return readRow<StatusCount>(row, STATUS_COUNT_FIELDS, storageName, 'status-count', limits);
}

/**
 * An instances row (`id, hostname, pid, started_at, heartbeat_at, expires_at, queues, task_names`)
 * as an `InstanceRecord`: 64-bit integers returned as text or `bigint` become numbers, `queues` and
 * `task_names` may be arrays or their JSON text. A row the contract does not allow throws `StorageError` naming it.
 */
export function readInstanceRow(row: Row, storageName: string): InstanceRecord {
  const number = (value: unknown): unknown =>
    typeof value === 'bigint' || (typeof value === 'string' && NUMERIC_TEXT.test(value)) ? Number(value) : value;
  const malformed = (problem: string, cause?: unknown): StorageError =>
    new StorageError(
      `${storageName} read a malformed instance row of ${describeValue(row.id)}: ${problem} ` +
        'The stored data was changed outside EverTask; repair or delete the row.',
      { cause },
    );
  const list = (column: string, kind: string): unknown => {
    const value = row[column];
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch (error) {
      throw malformed(`column "${column}" holds ${describeValue(value)}, expected a JSON array of ${kind} names.`, error);
    }
  };
  const record = {
    id: row.id,
    hostname: row.hostname,
    pid: number(row.pid),
    startedAt: number(row.started_at),
    heartbeatAt: number(row.heartbeat_at),
    expiresAt: number(row.expires_at),
    queues: list('queues', 'queue'),
    taskNames: list('task_names', 'task'),
  };
  try {
    return checkInstanceRecord(record, `${storageName}.listInstances`);
  } catch (error) {
    throw malformed((error as Error).message, error);
  }
}

/** The row readers of one storage, its name (and limits) bound. */
export interface RowReaders {
  task(row: Row): StoredTask;
  statusAudit(row: Row): StatusAuditEntry;
  runAudit(row: Row): RunAuditEntry;
  executionLog(row: Row): ExecutionLogEntry;
  instance(row: Row): InstanceRecord;
  statusCount(row: Row): StatusCount;
  pausedQueue(row: Row): PausedQueue;
}

/** The row readers of a storage named `storageName` (used in the messages of malformed rows). */
export function rowReaders(storageName: string, limits?: StorageLimits): RowReaders {
  return {
    task: (row) => readTaskRow(row, storageName, limits),
    statusAudit: (row) => readStatusAuditRow(row, storageName, limits),
    runAudit: (row) => readRunAuditRow(row, storageName, limits),
    executionLog: (row) => readExecutionLogRow(row, storageName, limits),
    instance: (row) => readInstanceRow(row, storageName),
    statusCount: (row) => readStatusCountRow(row, storageName, limits),
    pausedQueue: (row) => readPausedQueueRow(row, storageName, limits),
  };
}
