import { AUDIT_LEVELS, LOG_LEVELS, TASK_STATUSES } from '../ports/task-record.js';
import type { StatusAuditEntry, RunAuditEntry, ExecutionLogEntry } from '../ports/task-record.js';
import type { PausedQueue } from '../ports/queue-state.js';
import type { StatusCount } from '../ports/task-storage.js';

/**
 * What a stored field holds: the storage contract every adapter enforces (the numeric bounds
 * come from {@link StorageLimits}):
 * - `uuid`: a UUID in lowercase canonical text (`8-4-4-4-12` hex digits), as `uuidv7()` makes them;
 * - `name`: a non-empty string; `text`: any string;
 * - `status`, `audit-level`, `outcome`, `log-level`: one of the `TaskStatus`, `AuditLevel`,
 *   `RunOutcome`, `LogLevel` strings;
 * - `time`: integer epoch milliseconds from −`maxTime` to `maxTime`;
 * - `count`: an integer from 0 to `maxInteger`;
 * - `duration`: a finite number of milliseconds (fractions allowed).
 */
export type FieldType = 'uuid' | 'name' | 'text' | 'status' | 'audit-level' | 'outcome' | 'log-level' | 'time' | 'count' | 'duration';

/** One stored field: its record property, its conventional SQL column, what it holds. */
export interface FieldSpec {
  readonly field: string;
  /** The conventional SQL column name (snake case). */
  readonly column: string;
  readonly type: FieldType;
  /** Whether `null` is a valid value. */
  readonly nullable: boolean;
}

/** The bounds of a dialect's columns. Adapters whose columns hold less pass narrower limits. */
export interface StorageLimits {
  /**
   * Largest value of a count (`attempts`, `recoveryFailures`, `runCount`, `maxRuns`, a log's
   * `sequence`) and of a limit, offset or page size.
   * @defaultValue 2_147_483_647 (a signed 32-bit integer)
   */
  readonly maxInteger: number;
  /**
   * Largest distance from the epoch of a time, in milliseconds.
   * @defaultValue 8_640_000_000_000_000 (the range of a JavaScript `Date`)
   */
  readonly maxTime: number;
}

/** The limits of the storage contract, met by memory, SQLite and PostgreSQL. */
export const DEFAULT_STORAGE_LIMITS: StorageLimits = Object.freeze({ maxInteger: 2_147_483_647, maxTime: 8_640_000_000_000_000 });

const STATUS_SET: ReadonlySet<unknown> = new Set(TASK_STATUSES);
const AUDIT_LEVEL_SET: ReadonlySet<unknown> = new Set(AUDIT_LEVELS);
const LOG_LEVEL_SET: ReadonlySet<unknown> = new Set(LOG_LEVELS);

/** Whether `value` is a UUID in lowercase canonical text (a loop over the 36 characters: every id of every write passes here). */
export function isUuid(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const code = value.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== 45) return false; // '-'
    } else if (!((code >= 48 && code <= 57) || (code >= 97 && code <= 102))) {
      return false; // not 0-9 or a-f
    }
  }
  return true;
}

/** Whether `value` is an integer time within the limits. */
export function isTime(value: unknown, limits: StorageLimits = DEFAULT_STORAGE_LIMITS): value is number {
  return Number.isSafeInteger(value) && Math.abs(value as number) <= limits.maxTime;
}

/** Whether `value` is a count within the limits. */
export function isCount(value: unknown, limits: StorageLimits = DEFAULT_STORAGE_LIMITS): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= limits.maxInteger;
}

/** Whether a non-null `value` is of `type`. */
export function isOfType(type: FieldType, value: unknown, limits: StorageLimits): boolean {
  switch (type) {
    case 'uuid':
      return isUuid(value);
    case 'name':
      return typeof value === 'string' && value.length > 0;
    case 'text':
      return typeof value === 'string';
    case 'status':
      return STATUS_SET.has(value);
    case 'audit-level':
      return AUDIT_LEVEL_SET.has(value);
    case 'outcome':
      return value === 'completed' || value === 'failed';
    case 'log-level':
      return LOG_LEVEL_SET.has(value);
    case 'time':
      return isTime(value, limits);
    case 'count':
      return isCount(value, limits);
    case 'duration':
      return typeof value === 'number' && Number.isFinite(value);
  }
}

/** Whether `value` is valid for the field (`null` where the field is nullable). */
export function fitsField(spec: FieldSpec, value: unknown, limits: StorageLimits): boolean {
  return value === null ? spec.nullable : isOfType(spec.type, value, limits);
}

/** What a value of `type` must be, for error messages. */
export function expectedOfType(type: FieldType, limits: StorageLimits): string {
  switch (type) {
    case 'uuid':
      return 'a lowercase UUID string';
    case 'name':
      return 'a non-empty string';
    case 'text':
      return 'a string';
    case 'status':
      return `one of ${TASK_STATUSES.join(', ')}`;
    case 'audit-level':
      return `one of ${AUDIT_LEVELS.join(', ')}`;
    case 'outcome':
      return 'one of completed, failed';
    case 'log-level':
      return `one of ${LOG_LEVELS.join(', ')}`;
    case 'time':
      return `an integer number of epoch milliseconds within ±${limits.maxTime}`;
    case 'count':
      return `an integer from 0 to ${limits.maxInteger}`;
    case 'duration':
      return 'a finite number of milliseconds';
  }
}

/** What a value of the field must be, for error messages. */
export function expectedOfField(spec: FieldSpec, limits: StorageLimits): string {
  const expected = expectedOfType(spec.type, limits);
  return spec.nullable ? `${expected} or null` : expected;
}

/** The fields of a status-audit row. */
export const STATUS_AUDIT_FIELDS = [
  { field: 'taskId', column: 'task_id', type: 'uuid', nullable: false },
  { field: 'status', column: 'status', type: 'status', nullable: false },
  { field: 'at', column: 'at', type: 'time', nullable: false },
  { field: 'error', column: 'error', type: 'text', nullable: true },
  { field: 'actor', column: 'actor', type: 'text', nullable: true },
] as const satisfies readonly (FieldSpec & { field: keyof StatusAuditEntry })[];

/** The fields of a paused-queue row. */
export const PAUSED_QUEUE_FIELDS = [
  { field: 'queue', column: 'queue', type: 'name', nullable: false },
  { field: 'pausedAt', column: 'paused_at', type: 'time', nullable: false },
  { field: 'pausedBy', column: 'paused_by', type: 'text', nullable: true },
] as const satisfies readonly (FieldSpec & { field: keyof PausedQueue })[];

/** The fields of a row of `count` (`SELECT queue, status, COUNT(*) AS n … GROUP BY queue, status`). */
export const STATUS_COUNT_FIELDS = [
  { field: 'queue', column: 'queue', type: 'name', nullable: false },
  { field: 'status', column: 'status', type: 'status', nullable: false },
  { field: 'count', column: 'n', type: 'count', nullable: false },
] as const satisfies readonly (FieldSpec & { field: keyof StatusCount })[];

/** The fields of a run-audit row. */
export const RUN_AUDIT_FIELDS = [
  { field: 'taskId', column: 'task_id', type: 'uuid', nullable: false },
  { field: 'at', column: 'at', type: 'time', nullable: false },
  { field: 'status', column: 'status', type: 'status', nullable: false },
  { field: 'executionTimeMs', column: 'execution_time_ms', type: 'duration', nullable: false },
  { field: 'error', column: 'error', type: 'text', nullable: true },
] as const satisfies readonly (FieldSpec & { field: keyof RunAuditEntry })[];

/** The fields of an execution-log row. */
export const EXECUTION_LOG_FIELDS = [
  { field: 'id', column: 'id', type: 'uuid', nullable: false },
  { field: 'taskId', column: 'task_id', type: 'uuid', nullable: false },
  { field: 'at', column: 'at', type: 'time', nullable: false },
  { field: 'level', column: 'level', type: 'log-level', nullable: false },
  { field: 'message', column: 'message', type: 'text', nullable: false },
  { field: 'exception', column: 'exception', type: 'text', nullable: true },
  { field: 'sequence', column: 'sequence', type: 'count', nullable: false },
] as const satisfies readonly (FieldSpec & { field: keyof ExecutionLogEntry })[];
