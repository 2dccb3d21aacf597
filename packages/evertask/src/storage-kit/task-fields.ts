import type { StoredTask, TaskPatch } from '../ports/task-record.js';

import type { FieldSpec } from './field-types.js';

/** One field of `StoredTask`: its conventional SQL column, what it holds, and whether a patch may change it. */
export interface TaskFieldSpec extends FieldSpec {
  readonly field: keyof StoredTask;
  /** Whether a `TaskPatch` (`update`, `transition`) may change it. */
  readonly patchable: boolean;
}

/**
 * The 25 fields of a stored task, in their stable order (the order adapters insert them in). The
 * one place that lists them: record checks, column lists, row readers and copies derive from it.
 */
export const TASK_FIELDS = [
  { field: 'id', column: 'id', type: 'uuid', nullable: false, patchable: false },
  { field: 'name', column: 'name', type: 'name', nullable: false, patchable: false },
  { field: 'payload', column: 'payload', type: 'text', nullable: false, patchable: true },
  { field: 'status', column: 'status', type: 'status', nullable: false, patchable: false },
  { field: 'queue', column: 'queue', type: 'name', nullable: false, patchable: true },
  { field: 'taskKey', column: 'task_key', type: 'text', nullable: true, patchable: false },
  { field: 'auditLevel', column: 'audit_level', type: 'audit-level', nullable: false, patchable: true },
  { field: 'createdAt', column: 'created_at', type: 'time', nullable: false, patchable: false },
  { field: 'updatedAt', column: 'updated_at', type: 'time', nullable: false, patchable: false },
  { field: 'scheduledAt', column: 'scheduled_at', type: 'time', nullable: true, patchable: true },
  { field: 'dueAt', column: 'due_at', type: 'time', nullable: true, patchable: true },
  { field: 'attempts', column: 'attempts', type: 'count', nullable: false, patchable: true },
  { field: 'lastExecutionAt', column: 'last_execution_at', type: 'time', nullable: true, patchable: true },
  { field: 'executionTimeMs', column: 'execution_time_ms', type: 'duration', nullable: true, patchable: true },
  { field: 'error', column: 'error', type: 'text', nullable: true, patchable: true },
  { field: 'leaseOwner', column: 'lease_owner', type: 'text', nullable: true, patchable: true },
  { field: 'leaseExpiresAt', column: 'lease_expires_at', type: 'time', nullable: true, patchable: true },
  { field: 'recoveryFailures', column: 'recovery_failures', type: 'count', nullable: false, patchable: true },
  { field: 'recurring', column: 'recurring', type: 'text', nullable: true, patchable: true },
  { field: 'recurringInfo', column: 'recurring_info', type: 'text', nullable: true, patchable: true },
  { field: 'runCount', column: 'run_count', type: 'count', nullable: false, patchable: true },
  { field: 'maxRuns', column: 'max_runs', type: 'count', nullable: true, patchable: true },
  { field: 'runUntil', column: 'run_until', type: 'time', nullable: true, patchable: true },
  { field: 'lastOutcome', column: 'last_outcome', type: 'outcome', nullable: true, patchable: true },
  { field: 'traceContext', column: 'trace_context', type: 'text', nullable: true, patchable: false },
] as const satisfies readonly TaskFieldSpec[];

/** One entry of the stored-task field table (its field, column, type, nullability, patchability). */
export type FieldRow = (typeof TASK_FIELDS)[number];

/** A column of the tasks table. */
export type TaskColumn = FieldRow['column'];

/** The fields a `TaskPatch` may change, in table order. */
export type PatchableField = Extract<FieldRow, { patchable: true }>['field'];

/** Every `StoredTask` field as `[column, field]`, in table order. */
export const STORED_TASK_COLUMNS: readonly (readonly [TaskColumn, keyof StoredTask])[] = TASK_FIELDS.map(
  (spec) => [spec.column, spec.field] as const,
);

/** The columns of the tasks table, in table order. */
export const TASK_COLUMNS: readonly TaskColumn[] = TASK_FIELDS.map((spec) => spec.column);

/** The conventional SQL column of each `StoredTask` field. */
export const COLUMN_OF_FIELD = Object.fromEntries(TASK_FIELDS.map((spec) => [spec.field, spec.column])) as Readonly<
  Record<keyof StoredTask, TaskColumn>
>;

/** The spec of each `StoredTask` field. */
export const SPEC_OF_FIELD = Object.fromEntries(TASK_FIELDS.map((spec) => [spec.field, spec])) as Readonly<
  Record<keyof StoredTask, TaskFieldSpec>
>;

/** The fields a `TaskPatch` may change, in table order. */
export const TASK_PATCH_FIELDS = TASK_FIELDS.filter((spec) => spec.patchable).map((spec) => spec.field) as readonly PatchableField[];

// Compile-time proof that the table and the record types agree: every StoredTask field is listed,
// and the patchable ones are exactly the keys of TaskPatch.
type Missing<A, B> = Exclude<A, B> extends never ? true : { missing: Exclude<A, B> };
const everyFieldListed: Missing<keyof StoredTask, FieldRow['field']> = true;
const patchMatchesTable: Missing<keyof TaskPatch, PatchableField> & Missing<PatchableField, keyof TaskPatch> = true;
void everyFieldListed;
void patchMatchesTable;

/**
 * A copy of `task` with exactly the fields of the table, in table order (no aliasing, no stray
 * properties). Written out as one object literal, so every stored record shares one hidden class
 * (a copy built field by field in a loop is several times slower to read); the compiler proves it
 * complete, since the result must be a `StoredTask`.
 */
export function copyTaskFields(task: StoredTask): StoredTask {
  return {
    id: task.id,
    name: task.name,
    payload: task.payload,
    status: task.status,
    queue: task.queue,
    taskKey: task.taskKey,
    auditLevel: task.auditLevel,
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
    scheduledAt: task.scheduledAt,
    dueAt: task.dueAt,
    attempts: task.attempts,
    lastExecutionAt: task.lastExecutionAt,
    executionTimeMs: task.executionTimeMs,
    error: task.error,
    leaseOwner: task.leaseOwner,
    leaseExpiresAt: task.leaseExpiresAt,
    recoveryFailures: task.recoveryFailures,
    recurring: task.recurring,
    recurringInfo: task.recurringInfo,
    runCount: task.runCount,
    maxRuns: task.maxRuns,
    runUntil: task.runUntil,
    lastOutcome: task.lastOutcome,
    traceContext: task.traceContext,
  };
}

/** The values of `task` in table (column) order: the parameters of an insert. */
export function taskParameters(task: StoredTask): unknown[] {
  const source = task as unknown as Record<string, unknown>;
  return TASK_FIELDS.map((spec) => source[spec.field]);
}
