import {
  AUDIT_LEVELS,
  InvalidArgumentError,
  LOG_LEVELS,
  TASK_STATUSES,
  type ClaimRequest,
  type PendingCursor,
  type TaskFilter,
  type TaskPage,
  type TaskPatch,
  type TaskSortField,
} from 'evertask';
import { PATCH_FIELDS } from './row-mapping.js';

/**
 * Checks of every argument the storage receives, so a bad value fails with an
 * `InvalidArgumentError` naming it instead of reaching SQLite (or being stored).
 */

type Check = (value: unknown) => boolean;

const text: Check = (v) => typeof v === 'string';
const nonEmpty: Check = (v) => typeof v === 'string' && v.length > 0;
const textOrNull: Check = (v) => v === null || typeof v === 'string';
const time: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const timeOrNull: Check = (v) => v === null || time(v);
const count: Check = (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const countOrNull: Check = (v) => v === null || count(v);
const status: Check = (v) => (TASK_STATUSES as readonly unknown[]).includes(v);
const auditLevel: Check = (v) => (AUDIT_LEVELS as readonly unknown[]).includes(v);
const logLevel: Check = (v) => (LOG_LEVELS as readonly unknown[]).includes(v);
const outcomeOrNull: Check = (v) => v === null || v === 'completed' || v === 'failed';

const PATCH_CHECKS: Readonly<Record<keyof TaskPatch, [Check, string]>> = {
  payload: [text, 'a string'],
  queue: [nonEmpty, 'a non-empty string'],
  auditLevel: [auditLevel, `one of ${AUDIT_LEVELS.join(', ')}`],
  scheduledAt: [timeOrNull, 'epoch milliseconds or null'],
  dueAt: [timeOrNull, 'epoch milliseconds or null'],
  attempts: [count, 'a non-negative integer'],
  lastExecutionAt: [timeOrNull, 'epoch milliseconds or null'],
  executionTimeMs: [timeOrNull, 'a number of milliseconds or null'],
  error: [textOrNull, 'a string or null'],
  leaseOwner: [textOrNull, 'a string or null'],
  leaseExpiresAt: [timeOrNull, 'epoch milliseconds or null'],
  recoveryFailures: [count, 'a non-negative integer'],
  recurring: [textOrNull, 'a string or null'],
  recurringInfo: [textOrNull, 'a string or null'],
  runCount: [count, 'a non-negative integer'],
  maxRuns: [countOrNull, 'a non-negative integer or null'],
  runUntil: [timeOrNull, 'epoch milliseconds or null'],
  lastOutcome: [outcomeOrNull, "'completed', 'failed' or null"],
};

const TASK_CHECKS: Readonly<Record<string, [Check, string]>> = {
  id: [nonEmpty, 'a non-empty string'],
  name: [nonEmpty, 'a non-empty string'],
  status: [status, `one of ${TASK_STATUSES.join(', ')}`],
  taskKey: [textOrNull, 'a string or null'],
  createdAt: [time, 'epoch milliseconds'],
  updatedAt: [time, 'epoch milliseconds'],
  ...PATCH_CHECKS,
};

function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export function invalid(argument: string, value: unknown, expected: string): InvalidArgumentError {
  return new InvalidArgumentError(`SqliteStorage: ${argument} must be ${expected}; got ${show(value)}.`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function validateTask(task: unknown, argument: string): void {
  if (!isObject(task)) throw invalid(argument, task, 'a task object');
  for (const [field, [check, expected]] of Object.entries(TASK_CHECKS)) {
    if (!check(task[field])) throw invalid(`${argument}.${field}`, task[field], expected);
  }
}

/** Validates a patch and returns the fields it sets (unknown keys are ignored, `undefined` means "keep"). */
export function validatePatch(patch: unknown, argument: string): (keyof TaskPatch)[] {
  if (!isObject(patch)) throw invalid(argument, patch, 'an object');
  const fields: (keyof TaskPatch)[] = [];
  for (const field of PATCH_FIELDS) {
    const value = patch[field];
    if (value === undefined) continue;
    const [check, expected] = PATCH_CHECKS[field];
    if (!check(value)) throw invalid(`${argument}.${field}`, value, expected);
    fields.push(field);
  }
  return fields;
}

export function validateId(value: unknown, argument: string): string {
  if (!nonEmpty(value)) throw invalid(argument, value, 'a non-empty string');
  return value as string;
}

export function validateString(value: unknown, argument: string): string {
  if (!text(value)) throw invalid(argument, value, 'a string');
  return value as string;
}

export function validateTime(value: unknown, argument: string): number {
  if (!time(value)) throw invalid(argument, value, 'a finite number of epoch milliseconds');
  return value as number;
}

export function validateCount(value: unknown, argument: string): number {
  if (!count(value)) throw invalid(argument, value, 'a non-negative integer');
  return value as number;
}

export function validateLeaseMs(value: unknown, argument: string): number {
  if (!time(value) || (value as number) <= 0) throw invalid(argument, value, 'a positive number of milliseconds');
  return value as number;
}

export function validateStatuses(value: unknown, argument: string): void {
  if (!Array.isArray(value) || !value.every(status)) throw invalid(argument, value, 'an array of task statuses');
}

export function validateQueues(value: unknown, argument: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || !value.every(text)) throw invalid(argument, value, 'an array of queue names');
}

export function validateLogs(logs: unknown, argument: string): void {
  if (!Array.isArray(logs)) throw invalid(argument, logs, 'an array of execution log entries');
  logs.forEach((log: unknown, i) => {
    const at = `${argument}[${i}]`;
    if (!isObject(log)) throw invalid(at, log, 'an execution log entry');
    if (!nonEmpty(log['id'])) throw invalid(`${at}.id`, log['id'], 'a non-empty string');
    if (!time(log['at'])) throw invalid(`${at}.at`, log['at'], 'epoch milliseconds');
    if (!logLevel(log['level'])) throw invalid(`${at}.level`, log['level'], `one of ${LOG_LEVELS.join(', ')}`);
    if (!text(log['message'])) throw invalid(`${at}.message`, log['message'], 'a string');
    if (!textOrNull(log['exception'])) throw invalid(`${at}.exception`, log['exception'], 'a string or null');
    if (!count(log['sequence'])) throw invalid(`${at}.sequence`, log['sequence'], 'a non-negative integer');
  });
}

/** Validates one transition and returns the patch fields it sets. */
export function validateTransition(change: unknown, argument: string): (keyof TaskPatch)[] {
  if (!isObject(change)) throw invalid(argument, change, 'a transition');
  validateId(change['id'], `${argument}.id`);
  validateStatuses(change['from'], `${argument}.from`);
  if (change['owner'] !== undefined && !text(change['owner'])) throw invalid(`${argument}.owner`, change['owner'], 'a string');
  if (!status(change['to'])) throw invalid(`${argument}.to`, change['to'], 'a task status');
  validateTime(change['at'], `${argument}.at`);
  const audit = change['audit'];
  if (audit !== undefined && (!isObject(audit) || !textOrNull(audit['error']))) {
    throw invalid(`${argument}.audit`, audit, 'an object { error: string | null }');
  }
  const prior = change['priorAudits'];
  if (prior !== undefined) {
    if (!Array.isArray(prior)) throw invalid(`${argument}.priorAudits`, prior, 'an array');
    prior.forEach((entry: unknown, i) => {
      if (!isObject(entry) || !status(entry['status']) || !time(entry['at']) || !textOrNull(entry['error'])) {
        throw invalid(`${argument}.priorAudits[${i}]`, entry, 'an object { status, at, error }');
      }
    });
  }
  const run = change['runAudit'];
  if (run !== undefined) {
    if (!isObject(run)) throw invalid(`${argument}.runAudit`, run, 'a run-audit entry');
    if (!time(run['at'])) throw invalid(`${argument}.runAudit.at`, run['at'], 'epoch milliseconds');
    if (!status(run['status'])) throw invalid(`${argument}.runAudit.status`, run['status'], 'a task status');
    if (!time(run['executionTimeMs'])) {
      throw invalid(`${argument}.runAudit.executionTimeMs`, run['executionTimeMs'], 'a number of milliseconds');
    }
    if (!textOrNull(run['error'])) throw invalid(`${argument}.runAudit.error`, run['error'], 'a string or null');
  }
  if (change['logs'] !== undefined) validateLogs(change['logs'], `${argument}.logs`);
  return change['patch'] === undefined ? [] : validatePatch(change['patch'], `${argument}.patch`);
}


export function validateClaim(request: unknown): ClaimRequest {
  if (!isObject(request)) throw invalid('request', request, 'a claim request');
  if (!nonEmpty(request['owner'])) throw invalid('request.owner', request['owner'], 'a non-empty string');
  validateTime(request['now'], 'request.now');
  validateCount(request['limit'], 'request.limit');
  validateLeaseMs(request['leaseMs'], 'request.leaseMs');
  validateQueues(request['queues'], 'request.queues');
  return request as unknown as ClaimRequest;
}

export function validateCursor(after: unknown): PendingCursor | undefined {
  if (after === undefined) return undefined;
  if (!isObject(after)) throw invalid('after', after, 'a cursor { createdAt, id }');
  validateTime(after['createdAt'], 'after.createdAt');
  validateString(after['id'], 'after.id');
  return after as unknown as PendingCursor;
}

export function validateFilter(filter: unknown): TaskFilter {
  if (!isObject(filter)) throw invalid('filter', filter, 'an object');
  if (filter['ids'] !== undefined && (!Array.isArray(filter['ids']) || !filter['ids'].every(text))) {
    throw invalid('filter.ids', filter['ids'], 'an array of ids');
  }
  if (filter['statuses'] !== undefined) validateStatuses(filter['statuses'], 'filter.statuses');
  for (const key of ['name', 'nameContains', 'queue', 'taskKey', 'search']) {
    if (filter[key] !== undefined && !text(filter[key])) throw invalid(`filter.${key}`, filter[key], 'a string');
  }
  if (filter['recurring'] !== undefined && typeof filter['recurring'] !== 'boolean') {
    throw invalid('filter.recurring', filter['recurring'], 'true or false');
  }
  if (filter['createdAfter'] !== undefined) validateTime(filter['createdAfter'], 'filter.createdAfter');
  if (filter['createdBefore'] !== undefined) validateTime(filter['createdBefore'], 'filter.createdBefore');
  return filter as TaskFilter;
}

export const SORT_FIELDS: readonly TaskSortField[] = [
  'createdAt',
  'updatedAt',
  'dueAt',
  'lastExecutionAt',
  'status',
  'name',
  'queue',
];

export interface ResolvedPage {
  offset: number;
  limit: number;
  sortBy: TaskSortField;
  descending: boolean;
}

export function resolvePage(page: unknown): ResolvedPage {
  if (page !== undefined && !isObject(page)) throw invalid('page', page, 'an object');
  const p = (page ?? {}) as TaskPage;
  const offset = validateCount(p.offset ?? 0, 'page.offset');
  const limit = validateCount(p.limit ?? 50, 'page.limit');
  const sortBy = p.sortBy ?? 'createdAt';
  if (!SORT_FIELDS.includes(sortBy)) throw invalid('page.sortBy', sortBy, `one of ${SORT_FIELDS.join(', ')}`);
  const descending = p.descending ?? true;
  if (typeof descending !== 'boolean') throw invalid('page.descending', descending, 'true or false');
  return { offset, limit, sortBy, descending };
}
