/**
 * Checks of what the storage port receives (new tasks, patches, transitions' parts, log lines,
 * paging numbers), each throwing an `InvalidArgumentError` that names the operation, the field
 * and the value.
 */
import {
  AUDIT_LEVELS,
  InvalidArgumentError,
  LOG_LEVELS,
  TASK_STATUSES,
  type AuditLevel,
  type ExecutionLogEntry,
  type RunOutcome,
  type StoredTask,
  type TaskPatch,
  type TaskStatus,
} from 'evertask';
import { describeValue } from './postgres-errors.js';
import { FIELD_TO_COLUMN, RUN_OUTCOMES, type TaskColumn } from './row-mapping.js';

export type PatchKey = keyof Required<TaskPatch>;

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

export type ValueKind =
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

export function checkInteger(value: unknown, what: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidArgumentError(`${what} must be an integer >= ${min}; received ${String(value)}.`);
  }
  return value;
}

export function checkStatuses(value: unknown, what: string): readonly TaskStatus[] {
  if (!Array.isArray(value) || !value.every((s) => TASK_STATUSES.includes(s as TaskStatus))) {
    throw new InvalidArgumentError(`${what} must be an array of statuses (${TASK_STATUSES.join(', ')}).`);
  }
  return value as TaskStatus[];
}

export function checkQueues(value: unknown, what: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((q) => typeof q === 'string')) {
    throw new InvalidArgumentError(`${what} must be an array of queue names.`);
  }
  return value as string[];
}
