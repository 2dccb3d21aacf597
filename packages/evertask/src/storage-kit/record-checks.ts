import { AUDIT_LEVELS, TASK_STATUSES } from '../ports/task-record.js';
import type { StoredTask, TaskPatch } from '../ports/task-record.js';
import {
  DEFAULT_STORAGE_LIMITS,
  EXECUTION_LOG_FIELDS,
  expectedOfField,
  expectedOfType,
  fitsField,
  isOfType,
  isUuid,
  type FieldSpec,
  type StorageLimits,
} from './field-types.js';
import { SPEC_OF_FIELD, TASK_FIELDS, TASK_PATCH_FIELDS } from './task-fields.js';

/**
 * The first thing wrong with a value: where (a path below the value, such as `.attempts` or
 * `.logs[2].level`, empty for the value itself), what it holds and what it must be. The finders
 * below return `undefined` for a valid value and allocate nothing then: every status change passes
 * through them, and only a bad one pays for the message.
 */
export interface Problem {
  readonly path: string;
  readonly value: unknown;
  readonly expected: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const PATCH_SPEC_OF: ReadonlyMap<string, FieldSpec> = new Map(TASK_PATCH_FIELDS.map((field) => [field, SPEC_OF_FIELD[field]]));
const PATCH_FIELD_LIST = TASK_PATCH_FIELDS.join(', ');
const LOG_INPUT_FIELDS = EXECUTION_LOG_FIELDS.filter((spec) => spec.field !== 'taskId');

function fieldProblem(specs: readonly FieldSpec[], record: Record<string, unknown>, limits: StorageLimits): Problem | undefined {
  for (const spec of specs) {
    const value = record[spec.field];
    if (!fitsField(spec, value, limits)) return { path: `.${spec.field}`, value, expected: expectedOfField(spec, limits) };
  }
  return undefined;
}

/**
 * The first problem of a complete task: every field of the table must be valid. Other properties
 * are not an error; a storage keeps only the fields of the table.
 */
export function findTaskProblem(task: unknown, limits: StorageLimits): Problem | undefined {
  if (!isRecord(task)) return { path: '', value: task, expected: 'a task object' };
  if (taskFieldsFit(task as unknown as StoredTask, limits)) return undefined;
  return fieldProblem(TASK_FIELDS, task, limits);
}

const STATUS_SET: ReadonlySet<unknown> = new Set(TASK_STATUSES);
const AUDIT_LEVEL_SET: ReadonlySet<unknown> = new Set(AUDIT_LEVELS);

function isTextOrNull(value: unknown): boolean {
  return value === null || typeof value === 'string';
}

function isTimeOrNull(value: unknown, maxTime: number): boolean {
  return value === null || (Number.isSafeInteger(value) && (value as number) <= maxTime && (value as number) >= -maxTime);
}

function isCountWithin(value: unknown, maxInteger: number): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= maxInteger;
}

/**
 * The checks of `TASK_FIELDS` written out with direct property reads, for the hot path (every
 * inserted task passes here; a loop over the table reads each field by a computed key, several
 * times slower). A test holds it to the table: a bad value in any field of the table makes it
 * false. False sends the caller to the table loop, which names the field.
 */
function taskFieldsFit(t: StoredTask, limits: StorageLimits): boolean {
  const { maxTime, maxInteger } = limits;
  return (
    isUuid(t.id) &&
    typeof t.name === 'string' &&
    t.name.length > 0 &&
    typeof t.payload === 'string' &&
    STATUS_SET.has(t.status) &&
    typeof t.queue === 'string' &&
    t.queue.length > 0 &&
    isTextOrNull(t.taskKey) &&
    AUDIT_LEVEL_SET.has(t.auditLevel) &&
    t.createdAt !== null &&
    isTimeOrNull(t.createdAt, maxTime) &&
    t.updatedAt !== null &&
    isTimeOrNull(t.updatedAt, maxTime) &&
    isTimeOrNull(t.scheduledAt, maxTime) &&
    isTimeOrNull(t.dueAt, maxTime) &&
    isCountWithin(t.attempts, maxInteger) &&
    isTimeOrNull(t.lastExecutionAt, maxTime) &&
    (t.executionTimeMs === null || (typeof t.executionTimeMs === 'number' && Number.isFinite(t.executionTimeMs))) &&
    isTextOrNull(t.error) &&
    isTextOrNull(t.leaseOwner) &&
    isTimeOrNull(t.leaseExpiresAt, maxTime) &&
    isCountWithin(t.recoveryFailures, maxInteger) &&
    isTextOrNull(t.recurring) &&
    isTextOrNull(t.recurringInfo) &&
    isCountWithin(t.runCount, maxInteger) &&
    (t.maxRuns === null || isCountWithin(t.maxRuns, maxInteger)) &&
    isTimeOrNull(t.runUntil, maxTime) &&
    (t.lastOutcome === null || t.lastOutcome === 'completed' || t.lastOutcome === 'failed') &&
    isTextOrNull(t.traceContext)
  );
}

/**
 * The first problem of a patch: a key that is not a patchable field (`id`, `name`, `status`,
 * `taskKey`, `createdAt`, `updatedAt` or a stranger), or a value the field cannot hold.
 * `undefined` values mean "keep" and are valid.
 */
export function findPatchProblem(patch: unknown, limits: StorageLimits): Problem | undefined {
  if (!isRecord(patch)) return { path: '', value: patch, expected: 'a patch object' };
  // One pass over the keys the patch has (a handful), not over every patchable field.
  for (const key in patch) {
    const spec = PATCH_SPEC_OF.get(key);
    if (spec === undefined) return { path: `.${key}`, value: patch[key], expected: `absent (a patch may change only ${PATCH_FIELD_LIST})` };
    const value = patch[key];
    if (value !== undefined && !fitsField(spec, value, limits)) return { path: `.${key}`, value, expected: expectedOfField(spec, limits) };
  }
  return undefined;
}

/** The first problem of a list of execution logs (each log's `taskId` is ignored: the storage files it under its task). */
export function findLogsProblem(logs: unknown, limits: StorageLimits): Problem | undefined {
  if (!Array.isArray(logs)) return { path: '', value: logs, expected: 'an array of execution log entries' };
  for (let i = 0; i < logs.length; i++) {
    const log: unknown = logs[i];
    if (!isRecord(log)) return { path: `[${i}]`, value: log, expected: 'an execution log entry' };
    const problem = fieldProblem(LOG_INPUT_FIELDS, log, limits);
    if (problem !== undefined) return { ...problem, path: `[${i}]${problem.path}` };
  }
  return undefined;
}

/** The first problem of a list of statuses. */
export function findStatusesProblem(statuses: unknown): Problem | undefined {
  if (!Array.isArray(statuses)) return { path: '', value: statuses, expected: 'an array of task statuses' };
  for (let i = 0; i < statuses.length; i++) {
    if (!isOfType('status', statuses[i], DEFAULT_STORAGE_LIMITS)) {
      return { path: `[${i}]`, value: statuses[i], expected: expectedOfType('status', DEFAULT_STORAGE_LIMITS) };
    }
  }
  return undefined;
}

function below(prefix: string, problem: Problem | undefined): Problem | undefined {
  return problem === undefined ? undefined : { ...problem, path: `${prefix}${problem.path}` };
}

function auditRowProblem(row: unknown, withStatus: boolean, limits: StorageLimits): Problem | undefined {
  if (!isRecord(row)) return { path: '', value: row, expected: withStatus ? 'an object { status, at, error }' : 'an object { error }' };
  if (withStatus && !isOfType('status', row.status, limits)) return { path: '.status', value: row.status, expected: expectedOfType('status', limits) };
  if (withStatus && !isOfType('time', row.at, limits)) return { path: '.at', value: row.at, expected: expectedOfType('time', limits) };
  if (row.error !== null && typeof row.error !== 'string') return { path: '.error', value: row.error, expected: 'a string or null' };
  if (row.actor !== undefined && row.actor !== null && typeof row.actor !== 'string') {
    return { path: '.actor', value: row.actor, expected: 'a string, null or undefined' };
  }
  return undefined;
}

function runAuditProblem(run: unknown, limits: StorageLimits): Problem | undefined {
  if (!isRecord(run)) return { path: '', value: run, expected: 'a run-audit entry { at, status, executionTimeMs, error }' };
  if (!isOfType('time', run.at, limits)) return { path: '.at', value: run.at, expected: expectedOfType('time', limits) };
  if (!isOfType('status', run.status, limits)) return { path: '.status', value: run.status, expected: expectedOfType('status', limits) };
  if (!isOfType('duration', run.executionTimeMs, limits)) {
    return { path: '.executionTimeMs', value: run.executionTimeMs, expected: expectedOfType('duration', limits) };
  }
  if (run.error !== null && typeof run.error !== 'string') return { path: '.error', value: run.error, expected: 'a string or null' };
  return undefined;
}

/** The first problem of one `TaskTransition`. */
export function findTransitionProblem(change: unknown, limits: StorageLimits): Problem | undefined {
  if (!isRecord(change)) return { path: '', value: change, expected: 'a transition object' };
  if (!isOfType('uuid', change.id, limits)) return { path: '.id', value: change.id, expected: expectedOfType('uuid', limits) };
  const from = findStatusesProblem(change.from);
  if (from !== undefined) return below('.from', from);
  if (change.owner !== undefined && typeof change.owner !== 'string') return { path: '.owner', value: change.owner, expected: 'a string' };
  if (!isOfType('status', change.to, limits)) return { path: '.to', value: change.to, expected: expectedOfType('status', limits) };
  if (!isOfType('time', change.at, limits)) return { path: '.at', value: change.at, expected: expectedOfType('time', limits) };
  if (change.patch !== undefined) {
    const patch = findPatchProblem(change.patch, limits);
    if (patch !== undefined) return below('.patch', patch);
  }
  if (change.audit !== undefined) {
    const audit = auditRowProblem(change.audit, false, limits);
    if (audit !== undefined) return below('.audit', audit);
  }
  if (change.priorAudits !== undefined) {
    const prior: unknown = change.priorAudits;
    if (!Array.isArray(prior)) return { path: '.priorAudits', value: prior, expected: 'an array' };
    for (let i = 0; i < prior.length; i++) {
      const problem = auditRowProblem(prior[i], true, limits);
      if (problem !== undefined) return below(`.priorAudits[${i}]`, problem);
    }
  }
  if (change.runAudit !== undefined) {
    const run = runAuditProblem(change.runAudit, limits);
    if (run !== undefined) return below('.runAudit', run);
  }
  return change.logs === undefined ? undefined : below('.logs', findLogsProblem(change.logs, limits));
}

/** Copies the fields a (checked) patch sets onto `task`. */
export function applyPatch(task: StoredTask, patch: TaskPatch): void {
  const target = task as unknown as Record<string, unknown>;
  const source = patch as Record<string, unknown>;
  for (const field in source) {
    const value = source[field];
    if (value !== undefined) target[field] = value;
  }
}

/** The fields a (checked) patch sets, in table order. */
export function patchedFields(patch: TaskPatch): (keyof TaskPatch)[] {
  const source = patch as Record<string, unknown>;
  return TASK_PATCH_FIELDS.filter((field) => source[field] !== undefined);
}
