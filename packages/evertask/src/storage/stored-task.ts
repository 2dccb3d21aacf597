import type { StoredTask, TaskPatch } from '../ports/task-record.js';

/** What a new task needs; everything else starts empty. */
export type NewStoredTaskInit = Pick<StoredTask, 'id' | 'name' | 'payload' | 'createdAt'> & Partial<StoredTask>;

/**
 * A complete `StoredTask`: `waiting` on the `default` queue, due at its creation time, audited
 * `full`, every optional field null and every counter 0, with `init` on top. The one place that
 * knows a task's shape, for the engine and for storage tests.
 */
export function newStoredTask(init: NewStoredTaskInit): StoredTask {
  const task: StoredTask = {
    id: init.id,
    name: init.name,
    payload: init.payload,
    status: 'waiting',
    queue: 'default',
    taskKey: null,
    auditLevel: 'full',
    createdAt: init.createdAt,
    updatedAt: init.createdAt,
    scheduledAt: null,
    dueAt: init.createdAt,
    attempts: 0,
    lastExecutionAt: null,
    executionTimeMs: null,
    error: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    recoveryFailures: 0,
    recurring: null,
    recurringInfo: null,
    runCount: 0,
    maxRuns: null,
    runUntil: null,
    lastOutcome: null,
  };
  const target = task as unknown as Record<string, unknown>;
  const source = init as Record<string, unknown>;
  for (const key in source) {
    // own enumerable keys, as Object.entries, without an array per field (one call per dispatch)
    if (!Object.hasOwn(source, key)) continue;
    const value = source[key];
    if (value !== undefined) target[key] = value;
  }
  return task;
}

/**
 * Every `StoredTask` field with its conventional SQL column name, in a stable order (the order
 * adapters insert them in).
 */
export const STORED_TASK_COLUMNS = [
  ['id', 'id'],
  ['name', 'name'],
  ['payload', 'payload'],
  ['status', 'status'],
  ['queue', 'queue'],
  ['task_key', 'taskKey'],
  ['audit_level', 'auditLevel'],
  ['created_at', 'createdAt'],
  ['updated_at', 'updatedAt'],
  ['scheduled_at', 'scheduledAt'],
  ['due_at', 'dueAt'],
  ['attempts', 'attempts'],
  ['last_execution_at', 'lastExecutionAt'],
  ['execution_time_ms', 'executionTimeMs'],
  ['error', 'error'],
  ['lease_owner', 'leaseOwner'],
  ['lease_expires_at', 'leaseExpiresAt'],
  ['recovery_failures', 'recoveryFailures'],
  ['recurring', 'recurring'],
  ['recurring_info', 'recurringInfo'],
  ['run_count', 'runCount'],
  ['max_runs', 'maxRuns'],
  ['run_until', 'runUntil'],
  ['last_outcome', 'lastOutcome'],
] as const satisfies readonly (readonly [string, keyof StoredTask])[];

/** The conventional SQL column of each `StoredTask` field. */
export const COLUMN_OF_FIELD = Object.fromEntries(STORED_TASK_COLUMNS.map(([column, field]) => [field, column])) as Readonly<
  Record<keyof StoredTask, (typeof STORED_TASK_COLUMNS)[number][0]>
>;

/** The fields a `TaskPatch` may change, in `STORED_TASK_COLUMNS` order. */
export const TASK_PATCH_FIELDS = [
  'payload',
  'queue',
  'auditLevel',
  'scheduledAt',
  'dueAt',
  'attempts',
  'lastExecutionAt',
  'executionTimeMs',
  'error',
  'leaseOwner',
  'leaseExpiresAt',
  'recoveryFailures',
  'recurring',
  'recurringInfo',
  'runCount',
  'maxRuns',
  'runUntil',
  'lastOutcome',
] as const satisfies readonly (keyof TaskPatch)[];
