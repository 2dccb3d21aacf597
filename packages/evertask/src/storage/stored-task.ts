import type { StoredTask } from '../ports/task-record.js';

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
    traceContext: null,
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

export { STORED_TASK_COLUMNS, COLUMN_OF_FIELD, TASK_PATCH_FIELDS } from '../storage-kit/task-fields.js';
