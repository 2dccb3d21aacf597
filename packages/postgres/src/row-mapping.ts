import {
  AUDIT_LEVELS,
  InvalidArgumentError,
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
  COLUMN_OF_FIELD,
  checkInstanceRecord,
  type InstanceRecord,
} from 'evertask';

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

type PatchKey = keyof Required<TaskPatch>;

/** Fields a patch may change, with their column and how a value is checked. */
export const PATCH_FIELDS: Record<PatchKey, { column: TaskColumn; kind: ValueKind }> = {
  payload: { column: 'payload', kind: 'text' },
  queue: { column: 'queue', kind: 'text' },
  auditLevel: { column: 'audit_level', kind: 'audit-level' },
  scheduledAt: { column: 'scheduled_at', kind: 'time?' },
  dueAt: { column: 'due_at', kind: 'time?' },
  attempts: { column: 'attempts', kind: 'int' },
  lastExecutionAt: { column: 'last_execution_at', kind: 'time?' },
  executionTimeMs: { column: 'execution_time_ms', kind: 'number?' },
  error: { column: 'error', kind: 'text?' },
  leaseOwner: { column: 'lease_owner', kind: 'text?' },
  leaseExpiresAt: { column: 'lease_expires_at', kind: 'time?' },
  recoveryFailures: { column: 'recovery_failures', kind: 'int' },
  recurring: { column: 'recurring', kind: 'text?' },
  recurringInfo: { column: 'recurring_info', kind: 'text?' },
  runCount: { column: 'run_count', kind: 'int' },
  maxRuns: { column: 'max_runs', kind: 'int?' },
  runUntil: { column: 'run_until', kind: 'time?' },
  lastOutcome: { column: 'last_outcome', kind: 'outcome?' },
};

export const PATCH_KEYS = Object.keys(PATCH_FIELDS) as PatchKey[];

type ValueKind =
  | 'text'
  | 'text?'
  | 'int'
  | 'int?'
  | 'time'
  | 'time?'
  | 'number?'
  | 'audit-level'
  | 'status'
  | 'outcome?';

const RUN_OUTCOMES: readonly RunOutcome[] = ['completed', 'failed'];
const INT4_MAX = 2_147_483_647;

/** Checks one input value against its kind; throws `InvalidArgumentError` naming `what`. */
export function checkValue(kind: ValueKind, value: unknown, what: string): void {
  const optional = kind.endsWith('?');
  if (optional && value === null) return;
  const base = optional ? kind.slice(0, -1) : kind;
  let ok: boolean;
  switch (base) {
    case 'text':
      ok = typeof value === 'string';
      break;
    case 'int':
      ok = typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= INT4_MAX;
      break;
    case 'time':
      ok = typeof value === 'number' && Number.isSafeInteger(value);
      break;
    case 'number':
      ok = typeof value === 'number' && Number.isFinite(value);
      break;
    case 'audit-level':
      ok = AUDIT_LEVELS.includes(value as AuditLevel);
      break;
    case 'status':
      ok = TASK_STATUSES.includes(value as TaskStatus);
      break;
    case 'outcome':
      ok = RUN_OUTCOMES.includes(value as RunOutcome);
      break;
    default:
      ok = false;
  }
  if (!ok) {
    const expected =
      base === 'time'
        ? 'an integer epoch-milliseconds time'
        : base === 'audit-level'
          ? `one of ${AUDIT_LEVELS.join(', ')}`
          : base === 'status'
            ? `one of ${TASK_STATUSES.join(', ')}`
            : base === 'outcome'
              ? `one of ${RUN_OUTCOMES.join(', ')}`
              : base === 'int'
                ? 'a 32-bit integer'
                : base === 'number'
                  ? 'a finite number'
                  : 'a string';
    throw new InvalidArgumentError(
      `${what} must be ${expected}${optional ? ' or null' : ''}; received ${describeValue(value)}.`,
    );
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  return typeof value;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID string (the id column is `uuid`). */
export function isUuid(value: unknown): boolean {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

const NEW_TASK_KINDS: Record<keyof StoredTask, ValueKind> = {
  id: 'text',
  name: 'text',
  payload: 'text',
  status: 'status',
  queue: 'text',
  taskKey: 'text?',
  auditLevel: 'audit-level',
  createdAt: 'time',
  updatedAt: 'time',
  scheduledAt: 'time?',
  dueAt: 'time?',
  attempts: 'int',
  lastExecutionAt: 'time?',
  executionTimeMs: 'number?',
  error: 'text?',
  leaseOwner: 'text?',
  leaseExpiresAt: 'time?',
  recoveryFailures: 'int',
  recurring: 'text?',
  recurringInfo: 'text?',
  runCount: 'int',
  maxRuns: 'int?',
  runUntil: 'time?',
  lastOutcome: 'outcome?',
};

const TASK_FIELDS = Object.keys(FIELD_TO_COLUMN) as (keyof StoredTask)[];

/** Validates a task handed to `add`. */
export function checkNewTask(task: StoredTask, index: number): void {
  if (typeof task !== 'object' || task === null) {
    throw new InvalidArgumentError(`add: tasks[${index}] must be a task object; received ${describeValue(task)}.`);
  }
  if (!isUuid(task.id)) {
    throw new InvalidArgumentError(`add: tasks[${index}].id must be a UUID string; received ${describeValue(task.id)}.`);
  }
  for (const field of TASK_FIELDS) {
    checkValue(NEW_TASK_KINDS[field], task[field], `add: tasks[${index}].${field}`);
  }
  if (task.name === '') throw new InvalidArgumentError(`add: tasks[${index}].name must not be empty.`);
}

/** A tasks row as `pg` returns it (int8 as string). */
export type TaskRow = Record<TaskColumn, unknown>;

function bad(id: unknown, column: string, value: unknown, expected: string): StorageError {
  return new StorageError(
    `PostgresStorage read a malformed row: task ${String(id)} has ${describeValue(value)} in column "${column}" (expected ${expected}).`,
  );
}

function readText(row: Record<string, unknown>, column: string, id: unknown): string {
  const value = row[column];
  if (typeof value !== 'string') throw bad(id, column, value, 'text');
  return value;
}

function readTextOrNull(row: Record<string, unknown>, column: string, id: unknown): string | null {
  const value = row[column];
  if (value === null) return null;
  if (typeof value !== 'string') throw bad(id, column, value, 'text or null');
  return value;
}

function readNumber(row: Record<string, unknown>, column: string, id: unknown): number {
  const value = row[column];
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw bad(id, column, value, 'a number');
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
  if (!allowed.includes(value as T)) throw bad(id, column, value, `one of ${allowed.join(', ')}`);
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

/** Validates one execution log entry (`what` names it in the message). */
export function checkLog(log: ExecutionLogEntry, what: string): void {
  if (typeof log !== 'object' || log === null) {
    throw new InvalidArgumentError(`${what} must be a log entry object; received ${describeValue(log)}.`);
  }
  if (!isUuid(log.id)) throw new InvalidArgumentError(`${what}.id must be a UUID string; received ${describeValue(log.id)}.`);
  checkValue('time', log.at, `${what}.at`);
  if (!LOG_LEVELS.includes(log.level)) {
    throw new InvalidArgumentError(`${what}.level must be one of ${LOG_LEVELS.join(', ')}; received ${describeValue(log.level)}.`);
  }
  checkValue('text', log.message, `${what}.message`);
  checkValue('text?', log.exception, `${what}.exception`);
  checkValue('int', log.sequence, `${what}.sequence`);
}

/** Validates a patch and returns its present keys. */
export function checkPatch(patch: TaskPatch | undefined, what: string): PatchKey[] {
  if (patch === undefined) return [];
  if (typeof patch !== 'object' || patch === null) {
    throw new InvalidArgumentError(`${what} must be an object; received ${describeValue(patch)}.`);
  }
  const keys: PatchKey[] = [];
  for (const key of Object.keys(patch)) {
    const spec = PATCH_FIELDS[key as PatchKey];
    if (spec === undefined) {
      throw new InvalidArgumentError(`${what} has an unknown field "${key}"; allowed: ${PATCH_KEYS.join(', ')}.`);
    }
    const value = (patch as Record<string, unknown>)[key];
    if (value === undefined) continue;
    checkValue(spec.kind, value, `${what}.${key}`);
    keys.push(key as PatchKey);
  }
  return keys;
}
