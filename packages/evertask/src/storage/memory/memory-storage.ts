import { IndexedMinHeap } from '../../collections/indexed-min-heap.js';
import { InvalidArgumentError, StorageError, TaskKeyConflictError } from '../../errors.js';
import { AUDIT_LEVELS, LOG_LEVELS, TASK_STATUSES } from '../../ports/task-record.js';
import type {
  ExecutionLogEntry,
  RunAuditEntry,
  StatusAuditEntry,
  StoredTask,
  TaskPatch,
  TaskStatus,
} from '../../ports/task-record.js';
import type {
  AddOptions,
  ClaimRequest,
  InstanceRecord,
  NewTask,
  PendingCursor,
  RetentionPolicy,
  RetentionResult,
  StatusCount,
  StorageCapabilities,
  StorageNotification,
  TaskFilter,
  TaskPage,
  TaskQueryResult,
  TaskSortField,
  TaskStorage,
  TaskTransition,
} from '../../ports/task-storage.js';
import { checkInstanceId, checkInstanceRecord, compareInstances, INSTANCE_RECORD_RETENTION_MS } from '../instance-record.js';

// ---- field checks ------------------------------------------------------------------------------

type FieldCheck = (value: unknown) => boolean;

const isString: FieldCheck = (v) => typeof v === 'string';
const isNonEmptyString: FieldCheck = (v) => typeof v === 'string' && v.length > 0;
const isNullableString: FieldCheck = (v) => v === null || typeof v === 'string';
const isFiniteNumber: FieldCheck = (v) => typeof v === 'number' && Number.isFinite(v);
const isNullableNumber: FieldCheck = (v) => v === null || isFiniteNumber(v);
const isCount: FieldCheck = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const isNullableCount: FieldCheck = (v) => v === null || isCount(v);
const STATUS_SET: ReadonlySet<unknown> = new Set(TASK_STATUSES);
const AUDIT_LEVEL_SET: ReadonlySet<unknown> = new Set(AUDIT_LEVELS);
const isStatus: FieldCheck = (v) => STATUS_SET.has(v);
const isAuditLevel: FieldCheck = (v) => AUDIT_LEVEL_SET.has(v);
const isNullableOutcome: FieldCheck = (v) => v === null || v === 'completed' || v === 'failed';

/** Fields a patch may change, with their checks (the keys of `TaskPatch`). */
const PATCH_FIELDS: Readonly<Record<keyof TaskPatch, FieldCheck>> = {
  payload: isString,
  queue: isNonEmptyString,
  auditLevel: isAuditLevel,
  scheduledAt: isNullableNumber,
  dueAt: isNullableNumber,
  attempts: isCount,
  lastExecutionAt: isNullableNumber,
  executionTimeMs: isNullableNumber,
  error: isNullableString,
  leaseOwner: isNullableString,
  leaseExpiresAt: isNullableNumber,
  recoveryFailures: isCount,
  recurring: isNullableString,
  recurringInfo: isNullableString,
  runCount: isCount,
  maxRuns: isNullableCount,
  runUntil: isNullableNumber,
  lastOutcome: isNullableOutcome,
};

const TASK_FIELDS: Readonly<Record<keyof StoredTask, FieldCheck>> = {
  ...PATCH_FIELDS,
  id: isNonEmptyString,
  name: isNonEmptyString,
  status: isStatus,
  taskKey: isNullableString,
  createdAt: isFiniteNumber,
  updatedAt: isFiniteNumber,
};

const PATCH_KEYS = Object.keys(PATCH_FIELDS) as (keyof TaskPatch)[];
const TASK_KEYS = Object.keys(TASK_FIELDS) as (keyof StoredTask)[];

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function invalid(argument: string, value: unknown, expected: string): InvalidArgumentError {
  return new InvalidArgumentError(`${argument} must be ${expected}; got ${describeValue(value)}.`);
}

/** The checks of `TASK_FIELDS` written out, for the hot path; false sends the caller to the loop for the message. */
function taskFieldsValid(t: StoredTask): boolean {
  return (
    isNonEmptyString(t.id) &&
    isNonEmptyString(t.name) &&
    isString(t.payload) &&
    isStatus(t.status) &&
    isNonEmptyString(t.queue) &&
    isNullableString(t.taskKey) &&
    isAuditLevel(t.auditLevel) &&
    isFiniteNumber(t.createdAt) &&
    isFiniteNumber(t.updatedAt) &&
    isNullableNumber(t.scheduledAt) &&
    isNullableNumber(t.dueAt) &&
    isCount(t.attempts) &&
    isNullableNumber(t.lastExecutionAt) &&
    isNullableNumber(t.executionTimeMs) &&
    isNullableString(t.error) &&
    isNullableString(t.leaseOwner) &&
    isNullableNumber(t.leaseExpiresAt) &&
    isCount(t.recoveryFailures) &&
    isNullableString(t.recurring) &&
    isNullableString(t.recurringInfo) &&
    isCount(t.runCount) &&
    isNullableCount(t.maxRuns) &&
    isNullableNumber(t.runUntil) &&
    isNullableOutcome(t.lastOutcome)
  );
}

function validateTask(task: unknown, argument: string): void {
  if (typeof task !== 'object' || task === null) throw invalid(argument, task, 'a task object');
  if (taskFieldsValid(task as StoredTask)) return;
  const record = task as Record<string, unknown>;
  for (const key of TASK_KEYS) {
    if (!TASK_FIELDS[key](record[key])) throw invalid(`${argument}.${key}`, record[key], `a valid ${key}`);
  }
}

/** The checks of `PATCH_FIELDS` on the fields present, written out for the hot path. */
function patchFieldsValid(p: TaskPatch): boolean {
  return (
    (p.payload === undefined || isString(p.payload)) &&
    (p.queue === undefined || isNonEmptyString(p.queue)) &&
    (p.auditLevel === undefined || isAuditLevel(p.auditLevel)) &&
    (p.scheduledAt === undefined || isNullableNumber(p.scheduledAt)) &&
    (p.dueAt === undefined || isNullableNumber(p.dueAt)) &&
    (p.attempts === undefined || isCount(p.attempts)) &&
    (p.lastExecutionAt === undefined || isNullableNumber(p.lastExecutionAt)) &&
    (p.executionTimeMs === undefined || isNullableNumber(p.executionTimeMs)) &&
    (p.error === undefined || isNullableString(p.error)) &&
    (p.leaseOwner === undefined || isNullableString(p.leaseOwner)) &&
    (p.leaseExpiresAt === undefined || isNullableNumber(p.leaseExpiresAt)) &&
    (p.recoveryFailures === undefined || isCount(p.recoveryFailures)) &&
    (p.recurring === undefined || isNullableString(p.recurring)) &&
    (p.recurringInfo === undefined || isNullableString(p.recurringInfo)) &&
    (p.runCount === undefined || isCount(p.runCount)) &&
    (p.maxRuns === undefined || isNullableCount(p.maxRuns)) &&
    (p.runUntil === undefined || isNullableNumber(p.runUntil)) &&
    (p.lastOutcome === undefined || isNullableOutcome(p.lastOutcome))
  );
}

function validatePatch(patch: unknown, argument: string): void {
  if (typeof patch !== 'object' || patch === null) throw invalid(argument, patch, 'an object');
  if (patchFieldsValid(patch as TaskPatch)) return;
  const record = patch as Record<string, unknown>;
  for (const key of PATCH_KEYS) {
    const value = record[key];
    if (value !== undefined && !PATCH_FIELDS[key](value)) throw invalid(`${argument}.${key}`, value, `a valid ${key}`);
  }
}

function validateStatuses(statuses: unknown, argument: string): void {
  if (!Array.isArray(statuses) || !statuses.every(isStatus)) throw invalid(argument, statuses, 'an array of task statuses');
}

function validateQueues(queues: unknown, argument: string): void {
  if (queues === undefined) return;
  if (!Array.isArray(queues) || !queues.every(isString)) throw invalid(argument, queues, 'an array of queue names');
}

function validateNonNegativeInteger(value: unknown, argument: string): void {
  if (!isCount(value)) throw invalid(argument, value, 'a non-negative integer');
}

function validateTime(value: unknown, argument: string): void {
  if (!isFiniteNumber(value)) throw invalid(argument, value, 'a finite number of epoch milliseconds');
}

function validateId(value: unknown, argument: string): void {
  if (!isNonEmptyString(value)) throw invalid(argument, value, 'a non-empty string');
}

function validateLog(log: unknown, argument: string): void {
  if (typeof log !== 'object' || log === null) throw invalid(argument, log, 'an execution log entry');
  const entry = log as Record<string, unknown>;
  if (!isNonEmptyString(entry.id)) throw invalid(`${argument}.id`, entry.id, 'a non-empty string');
  if (!isFiniteNumber(entry.at)) throw invalid(`${argument}.at`, entry.at, 'a finite number');
  if (!(LOG_LEVELS as readonly unknown[]).includes(entry.level)) throw invalid(`${argument}.level`, entry.level, 'a log level');
  if (!isString(entry.message)) throw invalid(`${argument}.message`, entry.message, 'a string');
  if (!isNullableString(entry.exception)) throw invalid(`${argument}.exception`, entry.exception, 'a string or null');
  if (!isCount(entry.sequence)) throw invalid(`${argument}.sequence`, entry.sequence, 'a non-negative integer');
}

function validateLogs(logs: unknown, argument: string): void {
  if (!Array.isArray(logs)) throw invalid(argument, logs, 'an array of execution log entries');
  logs.forEach((log, i) => validateLog(log, `${argument}[${i}]`));
}

function validateRunAudit(entry: unknown, argument: string): void {
  if (typeof entry !== 'object' || entry === null) throw invalid(argument, entry, 'a run-audit entry');
  const run = entry as Record<string, unknown>;
  if (!isFiniteNumber(run.at)) throw invalid(`${argument}.at`, run.at, 'a finite number');
  if (!isStatus(run.status)) throw invalid(`${argument}.status`, run.status, 'a task status');
  if (!isFiniteNumber(run.executionTimeMs)) throw invalid(`${argument}.executionTimeMs`, run.executionTimeMs, 'a finite number');
  if (!isNullableString(run.error)) throw invalid(`${argument}.error`, run.error, 'a string or null');
}

const LOG_LEVEL_SET: ReadonlySet<unknown> = new Set(LOG_LEVELS);

function logValid(log: unknown): boolean {
  if (typeof log !== 'object' || log === null) return false;
  const e = log as Record<string, unknown>;
  return (
    isNonEmptyString(e.id) &&
    isFiniteNumber(e.at) &&
    LOG_LEVEL_SET.has(e.level) &&
    isString(e.message) &&
    isNullableString(e.exception) &&
    isCount(e.sequence)
  );
}

function priorAuditValid(prior: unknown): boolean {
  const a = prior as Record<string, unknown> | null;
  return typeof a === 'object' && a !== null && isStatus(a.status) && isFiniteNumber(a.at) && isNullableString(a.error);
}

/**
 * The checks of `validateTransition` as one boolean, without building argument names: every
 * status change passes here, and only an invalid one pays for the loop that names the field.
 */
function transitionValid(change: unknown): boolean {
  if (typeof change !== 'object' || change === null) return false;
  const c = change as Record<string, unknown>;
  if (!isNonEmptyString(c.id) || !Array.isArray(c.from) || !c.from.every(isStatus)) return false;
  if ((c.owner !== undefined && !isString(c.owner)) || !isStatus(c.to) || !isFiniteNumber(c.at)) return false;
  if (c.patch !== undefined && (typeof c.patch !== 'object' || c.patch === null || !patchFieldsValid(c.patch as TaskPatch))) return false;
  if (c.audit !== undefined) {
    const audit = c.audit as { error?: unknown } | null;
    if (typeof audit !== 'object' || audit === null || !isNullableString(audit.error)) return false;
  }
  if (c.priorAudits !== undefined && (!Array.isArray(c.priorAudits) || !c.priorAudits.every(priorAuditValid))) return false;
  if (c.runAudit !== undefined) {
    const run = c.runAudit as Record<string, unknown> | null;
    if (typeof run !== 'object' || run === null) return false;
    if (!isFiniteNumber(run.at) || !isStatus(run.status) || !isFiniteNumber(run.executionTimeMs) || !isNullableString(run.error)) return false;
  }
  return c.logs === undefined || (Array.isArray(c.logs) && c.logs.every(logValid));
}

function validateTransition(change: unknown, argument: string): void {
  if (typeof change !== 'object' || change === null) throw invalid(argument, change, 'a transition');
  const c = change as Record<string, unknown>;
  validateId(c.id, `${argument}.id`);
  validateStatuses(c.from, `${argument}.from`);
  if (c.owner !== undefined && !isString(c.owner)) throw invalid(`${argument}.owner`, c.owner, 'a string');
  if (!isStatus(c.to)) throw invalid(`${argument}.to`, c.to, 'a task status');
  validateTime(c.at, `${argument}.at`);
  if (c.patch !== undefined) validatePatch(c.patch, `${argument}.patch`);
  if (c.audit !== undefined) {
    const audit = c.audit as { error?: unknown } | null;
    if (typeof audit !== 'object' || audit === null || !isNullableString(audit.error)) {
      throw invalid(`${argument}.audit`, c.audit, 'an object { error: string | null }');
    }
  }
  if (c.priorAudits !== undefined) {
    if (!Array.isArray(c.priorAudits)) throw invalid(`${argument}.priorAudits`, c.priorAudits, 'an array');
    c.priorAudits.forEach((prior: unknown, i) => {
      const a = prior as Record<string, unknown> | null;
      if (typeof a !== 'object' || a === null || !isStatus(a.status) || !isFiniteNumber(a.at) || !isNullableString(a.error)) {
        throw invalid(`${argument}.priorAudits[${i}]`, prior, 'an object { status, at, error }');
      }
    });
  }
  if (c.runAudit !== undefined) validateRunAudit(c.runAudit, `${argument}.runAudit`);
  if (c.logs !== undefined) validateLogs(c.logs, `${argument}.logs`);
}

// ---- copies ------------------------------------------------------------------------------------

/** A full copy with exactly the fields of `StoredTask` (no aliasing, no stray properties). */
function copyTask(t: StoredTask): StoredTask {
  return {
    id: t.id,
    name: t.name,
    payload: t.payload,
    status: t.status,
    queue: t.queue,
    taskKey: t.taskKey,
    auditLevel: t.auditLevel,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    scheduledAt: t.scheduledAt,
    dueAt: t.dueAt,
    attempts: t.attempts,
    lastExecutionAt: t.lastExecutionAt,
    executionTimeMs: t.executionTimeMs,
    error: t.error,
    leaseOwner: t.leaseOwner,
    leaseExpiresAt: t.leaseExpiresAt,
    recoveryFailures: t.recoveryFailures,
    recurring: t.recurring,
    recurringInfo: t.recurringInfo,
    runCount: t.runCount,
    maxRuns: t.maxRuns,
    runUntil: t.runUntil,
    lastOutcome: t.lastOutcome,
  };
}

function copyLog(log: ExecutionLogEntry, taskId: string): ExecutionLogEntry {
  return {
    id: log.id,
    taskId,
    at: log.at,
    level: log.level,
    message: log.message,
    exception: log.exception,
    sequence: log.sequence,
  };
}

/** Copies the fields the patch sets (the keys of `TaskPatch`, written out: this runs for every status change). */
function applyPatch(t: StoredTask, p: TaskPatch): void {
  if (p.payload !== undefined) t.payload = p.payload;
  if (p.queue !== undefined) t.queue = p.queue;
  if (p.auditLevel !== undefined) t.auditLevel = p.auditLevel;
  if (p.scheduledAt !== undefined) t.scheduledAt = p.scheduledAt;
  if (p.dueAt !== undefined) t.dueAt = p.dueAt;
  if (p.attempts !== undefined) t.attempts = p.attempts;
  if (p.lastExecutionAt !== undefined) t.lastExecutionAt = p.lastExecutionAt;
  if (p.executionTimeMs !== undefined) t.executionTimeMs = p.executionTimeMs;
  if (p.error !== undefined) t.error = p.error;
  if (p.leaseOwner !== undefined) t.leaseOwner = p.leaseOwner;
  if (p.leaseExpiresAt !== undefined) t.leaseExpiresAt = p.leaseExpiresAt;
  if (p.recoveryFailures !== undefined) t.recoveryFailures = p.recoveryFailures;
  if (p.recurring !== undefined) t.recurring = p.recurring;
  if (p.recurringInfo !== undefined) t.recurringInfo = p.recurringInfo;
  if (p.runCount !== undefined) t.runCount = p.runCount;
  if (p.maxRuns !== undefined) t.maxRuns = p.maxRuns;
  if (p.runUntil !== undefined) t.runUntil = p.runUntil;
  if (p.lastOutcome !== undefined) t.lastOutcome = p.lastOutcome;
}

// ---- ordering ----------------------------------------------------------------------------------

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareLogs(a: ExecutionLogEntry, b: ExecutionLogEntry): number {
  return a.at - b.at || a.sequence - b.sequence || compareStrings(a.id, b.id);
}

/** Inserts `item` after every element that does not sort after it (stable for equal keys). */
function insertSorted<T>(list: T[], item: T, compare: (a: T, b: T) => number): void {
  const last = list[list.length - 1];
  if (last === undefined || compare(last, item) <= 0) {
    list.push(item);
    return;
  }
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compare(list[mid] as T, item) <= 0) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, item);
}

interface OrderEntry {
  readonly createdAt: number;
  readonly id: string;
  live: boolean;
}

function compareOrder(a: { createdAt: number; id: string }, b: { createdAt: number; id: string }): number {
  return a.createdAt - b.createdAt || compareStrings(a.id, b.id);
}

/**
 * Non-terminal task ids sorted by (createdAt, id) for keyset paging. Appends are O(1) when tasks
 * arrive in creation order (the usual case); deletions are lazy and compacted in amortised O(1).
 */
class CreationOrder {
  #entries: OrderEntry[] = [];
  #live = new Map<string, OrderEntry>();
  #stale = 0;

  add(id: string, createdAt: number): void {
    if (this.#live.has(id)) return;
    const entry: OrderEntry = { createdAt, id, live: true };
    insertSorted(this.#entries, entry, compareOrder);
    this.#live.set(id, entry);
  }

  delete(id: string): void {
    const entry = this.#live.get(id);
    if (entry === undefined) return;
    entry.live = false;
    this.#live.delete(id);
    this.#stale++;
    if (this.#stale > 1024 && this.#stale * 2 > this.#entries.length) this.#compact();
  }

  /** Up to `limit` live ids strictly after the cursor. */
  after(cursor: PendingCursor | undefined, limit: number): string[] {
    const entries = this.#entries;
    let lo = 0;
    if (cursor !== undefined) {
      let hi = entries.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (compareOrder(entries[mid] as OrderEntry, cursor) <= 0) lo = mid + 1;
        else hi = mid;
      }
    }
    const ids: string[] = [];
    for (let i = lo; i < entries.length && ids.length < limit; i++) {
      const entry = entries[i] as OrderEntry;
      if (entry.live) ids.push(entry.id);
    }
    return ids;
  }

  clear(): void {
    this.#entries = [];
    this.#live.clear();
    this.#stale = 0;
  }

  #compact(): void {
    this.#entries = this.#entries.filter((e) => e.live);
    this.#stale = 0;
  }
}

// ---- time indexes ------------------------------------------------------------------------------

/** Ids sharing one time, in insertion order; removals are lazy (checked against `timeOf`). */
interface Bucket {
  ids: string[];
  head: number;
  live: number;
}

/**
 * Ids ordered by a time (due time or lease expiry), earliest first, ties in insertion order.
 *
 * An `IndexedMinHeap` orders the distinct times and each time keeps a bucket of its ids. Tasks
 * dispatched, claimed or renewed together share a time, so the heap stays small and most moves
 * are O(1); a move between distinct times costs O(log n).
 */
class TimeIndex {
  readonly #times = new IndexedMinHeap<number>();
  readonly #buckets = new Map<number, Bucket>();
  readonly #timeOf = new Map<string, number>();

  get size(): number {
    return this.#timeOf.size;
  }

  set(id: string, time: number): void {
    const old = this.#timeOf.get(id);
    if (old === time) return;
    if (old !== undefined) this.#detach(old);
    this.#timeOf.set(id, time);
    let bucket = this.#buckets.get(time);
    if (bucket === undefined) {
      bucket = { ids: [], head: 0, live: 0 };
      this.#buckets.set(time, bucket);
      this.#times.set(time, time);
    }
    bucket.ids.push(id);
    bucket.live++;
  }

  delete(id: string): void {
    const old = this.#timeOf.get(id);
    if (old === undefined) return;
    this.#timeOf.delete(id);
    this.#detach(old);
  }

  /** The earliest time, or undefined when empty. */
  peekTime(): number | undefined {
    return this.#times.peekPriority();
  }

  /** The first id at the earliest time. */
  peekId(): string | undefined {
    const time = this.#times.peek();
    if (time === undefined) return undefined;
    const bucket = this.#buckets.get(time) as Bucket;
    while (bucket.head < bucket.ids.length) {
      const id = bucket.ids[bucket.head] as string;
      if (this.#timeOf.get(id) === time) return id;
      bucket.head++;
    }
    return undefined;
  }

  ids(): IterableIterator<string> {
    return this.#timeOf.keys();
  }

  #detach(time: number): void {
    const bucket = this.#buckets.get(time) as Bucket;
    bucket.live--;
    if (bucket.live === 0) {
      this.#buckets.delete(time);
      this.#times.delete(time);
    } else if (bucket.ids.length - bucket.head > 2 * bucket.live + 64) {
      this.#compact(bucket, time);
    }
  }

  /** Drops stale and duplicate entries so a bucket never grows far beyond its live ids. */
  #compact(bucket: Bucket, time: number): void {
    const seen = new Set<string>();
    const ids: string[] = [];
    for (let i = bucket.head; i < bucket.ids.length; i++) {
      const id = bucket.ids[i] as string;
      if (this.#timeOf.get(id) === time && !seen.has(id)) {
        seen.add(id);
        ids.push(id);
      }
    }
    bucket.ids = ids;
    bucket.head = 0;
  }
}

/** One `TimeIndex` per queue, so a claim restricted to some queues never looks at the others. */
class QueueTimes {
  readonly #indexes = new Map<string, TimeIndex>();

  /** Moves `id` from where it was (`before`) to where it belongs now (`after`); null = absent. */
  move(id: string, beforeQueue: string, before: number | null, afterQueue: string, after: number | null): void {
    if (before !== null && (after === null || beforeQueue !== afterQueue)) {
      const index = this.#indexes.get(beforeQueue);
      if (index !== undefined) {
        index.delete(id);
        if (index.size === 0) this.#indexes.delete(beforeQueue);
      }
    }
    if (after === null) return;
    let index = this.#indexes.get(afterQueue);
    if (index === undefined) {
      index = new TimeIndex();
      this.#indexes.set(afterQueue, index);
    }
    index.set(id, after);
  }

  /** The indexes of the given queues (all when omitted). */
  select(queues: readonly string[] | undefined): TimeIndex[] {
    if (queues === undefined) return [...this.#indexes.values()];
    const selected: TimeIndex[] = [];
    for (const queue of new Set(queues)) {
      const index = this.#indexes.get(queue);
      if (index !== undefined) selected.push(index);
    }
    return selected;
  }

  *ids(): IterableIterator<string> {
    for (const index of this.#indexes.values()) yield* index.ids();
  }
}

/** The index among `indexes` with the earliest time, or undefined when all are empty. */
function earliest(indexes: readonly TimeIndex[]): TimeIndex | undefined {
  let best: TimeIndex | undefined;
  let bestTime = Infinity;
  for (const index of indexes) {
    const time = index.peekTime();
    if (time !== undefined && (best === undefined || time < bestTime)) {
      best = index;
      bestTime = time;
    }
  }
  return best;
}

// ---- index keys --------------------------------------------------------------------------------

function isWaitingLike(status: TaskStatus): boolean {
  return status === 'waiting' || status === 'service-stopped';
}

function isLeased(status: TaskStatus): boolean {
  return status === 'queued' || status === 'in-progress';
}

function isActive(status: TaskStatus): boolean {
  return status !== 'completed' && status !== 'failed' && status !== 'cancelled';
}

/** Position in the due index: the due time of a `waiting`/`service-stopped` task, else null. */
function dueKey(status: TaskStatus, dueAt: number | null): number | null {
  return isWaitingLike(status) ? dueAt : null;
}

/** Position in the lease index: the lease expiry of a `queued`/`in-progress` task, else null. */
function leaseKey(status: TaskStatus, leaseExpiresAt: number | null): number | null {
  return isLeased(status) ? leaseExpiresAt : null;
}

/** Owner of a live lease (`queued`/`in-progress`), else null. */
function ownerKey(status: TaskStatus, leaseOwner: string | null): string | null {
  return isLeased(status) ? leaseOwner : null;
}

/** What the indexes know of a task. */
interface IndexState {
  readonly status: TaskStatus;
  readonly queue: string;
  readonly dueAt: number | null;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: number | null;
}

function indexState(task: StoredTask): IndexState {
  return { status: task.status, queue: task.queue, dueAt: task.dueAt, leaseOwner: task.leaseOwner, leaseExpiresAt: task.leaseExpiresAt };
}

/** The state of a task that is not stored (before insertion, after deletion). */
const ABSENT: IndexState = { status: 'completed', queue: '', dueAt: null, leaseOwner: null, leaseExpiresAt: null };

// ---- queries -----------------------------------------------------------------------------------

function includesFolded(haystack: string | null, needle: string): boolean {
  return haystack !== null && haystack.toLowerCase().includes(needle);
}

function matchesFilter(task: StoredTask, filter: TaskFilter): boolean {
  if (filter.ids !== undefined && !filter.ids.includes(task.id)) return false;
  if (filter.statuses !== undefined && !filter.statuses.includes(task.status)) return false;
  if (filter.name !== undefined && task.name !== filter.name) return false;
  if (filter.nameContains !== undefined && !includesFolded(task.name, filter.nameContains.toLowerCase())) return false;
  if (filter.queue !== undefined && task.queue !== filter.queue) return false;
  if (filter.taskKey !== undefined && task.taskKey !== filter.taskKey) return false;
  if (filter.recurring !== undefined && (task.recurring !== null) !== filter.recurring) return false;
  if (filter.createdAfter !== undefined && task.createdAt < filter.createdAfter) return false;
  if (filter.createdBefore !== undefined && task.createdAt >= filter.createdBefore) return false;
  if (filter.search !== undefined) {
    const needle = filter.search.toLowerCase();
    if (!includesFolded(task.name, needle) && !includesFolded(task.taskKey, needle)) return false;
  }
  return true;
}

const SORT_FIELDS: readonly TaskSortField[] = ['createdAt', 'updatedAt', 'dueAt', 'lastExecutionAt', 'status', 'name', 'queue'];

function validateFilter(filter: unknown): void {
  if (typeof filter !== 'object' || filter === null) throw invalid('filter', filter, 'an object');
  const f = filter as Record<string, unknown>;
  if (f.ids !== undefined && (!Array.isArray(f.ids) || !f.ids.every(isString))) throw invalid('filter.ids', f.ids, 'an array of ids');
  if (f.statuses !== undefined) validateStatuses(f.statuses, 'filter.statuses');
  for (const key of ['name', 'nameContains', 'queue', 'taskKey', 'search'] as const) {
    if (f[key] !== undefined && !isString(f[key])) throw invalid(`filter.${key}`, f[key], 'a string');
  }
  if (f.recurring !== undefined && typeof f.recurring !== 'boolean') throw invalid('filter.recurring', f.recurring, 'a boolean');
  if (f.createdAfter !== undefined) validateTime(f.createdAfter, 'filter.createdAfter');
  if (f.createdBefore !== undefined) validateTime(f.createdBefore, 'filter.createdBefore');
}

interface ResolvedPage {
  offset: number;
  limit: number;
  sortBy: TaskSortField;
  descending: boolean;
}

function resolvePage(page: TaskPage | undefined): ResolvedPage {
  if (page !== undefined && (typeof page !== 'object' || page === null)) throw invalid('page', page, 'an object');
  const offset = page?.offset ?? 0;
  const limit = page?.limit ?? 50;
  const sortBy = page?.sortBy ?? 'createdAt';
  const descending = page?.descending ?? true;
  validateNonNegativeInteger(offset, 'page.offset');
  validateNonNegativeInteger(limit, 'page.limit');
  if (!SORT_FIELDS.includes(sortBy)) throw invalid('page.sortBy', sortBy, `one of ${SORT_FIELDS.join(', ')}`);
  if (typeof descending !== 'boolean') throw invalid('page.descending', descending, 'a boolean');
  return { offset, limit, sortBy, descending };
}

/** Compares two sort values; nulls sort last in both directions. */
function compareSortValues(a: string | number | null, b: string | number | null, descending: boolean): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const order = typeof a === 'number' && typeof b === 'number' ? a - b : compareStrings(String(a), String(b));
  return descending ? -order : order;
}

function taskComparator(sortBy: TaskSortField, descending: boolean): (a: StoredTask, b: StoredTask) => number {
  return (a, b) => {
    const byField = compareSortValues(a[sortBy], b[sortBy], descending);
    if (byField !== 0) return byField;
    const byId = compareStrings(a.id, b.id);
    return descending ? -byId : byId;
  };
}

// ---- the storage -------------------------------------------------------------------------------

type Listener = (notification: StorageNotification) => void;

/**
 * The in-memory reference implementation of {@link TaskStorage}, and the engine's default storage.
 *
 * Every hot operation is O(log n) or better: tasks live in a `Map` by id, with a task-key index,
 * per-queue time indexes (an `IndexedMinHeap` of distinct times, each with its ids) of due tasks
 * (`waiting`/`service-stopped` by `dueAt`) and of leases (`queued`/`in-progress` by
 * `leaseExpiresAt`), an owner → tasks index for lease renewal, and a (createdAt, id) order of
 * non-terminal tasks for keyset paging. Dashboard queries (`query`, `count`, `scheduled`) and
 * `cleanup` scan.
 *
 * Records are copied in and out, so callers can never change the stored state by mutating an
 * object. Every method runs to completion without yielding, so each call is atomic and concurrent
 * claimers in one process never receive the same task.
 *
 * Data lives only as long as the process (`persistent: false`) and is shared only by engines of
 * the same process that are handed the same instance (`multiProcess: false`); `notify` reaches the
 * listeners of every engine sharing the instance, asynchronously (a listener that throws affects
 * nobody). `close()` drops the subscriptions and makes operations throw `StorageError` until
 * `open()` is called again; the data is kept. The constructor takes no options.
 *
 * Choices where the port leaves room: an empty `queues` list selects no queue; `update` leaves
 * `updatedAt` unchanged (it receives no time); the status-audit row written by `add` is dated
 * `createdAt`; `query` sorts nulls last in both directions and breaks ties by id in the sort
 * direction; `createdAfter` is inclusive and `createdBefore` exclusive.
 *
 * @example
 * ```ts
 * const storage = new MemoryStorage();
 * const everTask = new EverTask({ storage, tasks: [sendWelcome] });
 * ```
 */
export class MemoryStorage implements TaskStorage {
  readonly capabilities: StorageCapabilities = Object.freeze({
    persistent: false,
    multiProcess: false,
    notifications: true,
    transactionalDispatch: false,
  });

  #closed = false;
  readonly #tasks = new Map<string, StoredTask>();
  readonly #byKey = new Map<string, string>();
  readonly #due = new QueueTimes();
  readonly #leases = new QueueTimes();
  readonly #owners = new Map<string, Set<string>>();
  readonly #instances = new Map<string, InstanceRecord>();
  readonly #order = new CreationOrder();
  readonly #statusAudit = new Map<string, StatusAuditEntry[]>();
  readonly #runAudit = new Map<string, RunAuditEntry[]>();
  readonly #logs = new Map<string, ExecutionLogEntry[]>();
  readonly #listeners = new Set<Listener>();

  async open(): Promise<void> {
    this.#closed = false;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
  }

  // ---- tasks -----------------------------------------------------------------------------------

  async add(tasks: readonly NewTask[], options?: AddOptions): Promise<void> {
    this.#assertOpen();
    if (!Array.isArray(tasks)) throw invalid('tasks', tasks, 'an array of tasks');
    this.#validateNewTasks(tasks);
    const audit = options?.audit === true;
    for (const task of tasks) this.#insert(copyTask(task), audit);
  }

  async get(id: string): Promise<StoredTask | undefined> {
    this.#assertOpen();
    validateId(id, 'id');
    const task = this.#tasks.get(id);
    return task === undefined ? undefined : copyTask(task);
  }

  async getByTaskKey(taskKey: string): Promise<StoredTask | undefined> {
    this.#assertOpen();
    if (!isString(taskKey)) throw invalid('taskKey', taskKey, 'a string');
    const id = this.#byKey.get(taskKey);
    const task = id === undefined ? undefined : this.#tasks.get(id);
    return task === undefined ? undefined : copyTask(task);
  }

  async update(id: string, patch: TaskPatch, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    this.#assertOpen();
    validateId(id, 'id');
    validatePatch(patch, 'patch');
    if (ifStatus !== undefined) validateStatuses(ifStatus, 'ifStatus');
    const task = this.#tasks.get(id);
    if (task === undefined || (ifStatus !== undefined && !ifStatus.includes(task.status))) return false;
    this.#mutate(task, () => applyPatch(task, patch));
    return true;
  }

  async remove(id: string): Promise<boolean> {
    this.#assertOpen();
    validateId(id, 'id');
    const task = this.#tasks.get(id);
    if (task === undefined) return false;
    this.#delete(task);
    return true;
  }

  async transition(changes: readonly TaskTransition[]): Promise<boolean[]> {
    this.#assertOpen();
    if (!Array.isArray(changes)) throw invalid('changes', changes, 'an array of transitions');
    for (let i = 0; i < changes.length; i++) {
      if (!transitionValid(changes[i])) validateTransition(changes[i], `changes[${i}]`);
    }
    return changes.map((change) => this.#applyTransition(change));
  }

  // ---- work distribution -----------------------------------------------------------------------

  async claimDue(request: ClaimRequest): Promise<StoredTask[]> {
    this.#assertOpen();
    this.#validateClaim(request);
    const { owner, now, limit, leaseMs, queues } = request;
    const indexes = [...this.#due.select(queues), ...this.#leases.select(queues)];
    const claimed: StoredTask[] = [];
    while (claimed.length < limit) {
      const index = earliest(indexes);
      const time = index?.peekTime();
      if (index === undefined || time === undefined || time > now) break;
      const task = this.#tasks.get(index.peekId() as string) as StoredTask;
      const before = indexState(task);
      task.status = 'queued';
      task.leaseOwner = owner;
      task.leaseExpiresAt = now + leaseMs;
      task.updatedAt = now;
      this.#reindex(task, before, task);
      claimed.push(copyTask(task));
    }
    return claimed;
  }

  async renewLeases(owner: string, now: number, leaseMs: number, ids?: readonly string[]): Promise<number> {
    this.#assertOpen();
    if (!isString(owner)) throw invalid('owner', owner, 'a string');
    validateTime(now, 'now');
    this.#validateLeaseMs(leaseMs);
    if (ids !== undefined && (!Array.isArray(ids) || !ids.every(isString))) throw invalid('ids', ids, 'an array of task ids');
    const owned = this.#owners.get(owner);
    if (owned === undefined) return 0;
    if (ids !== undefined) {
      let renewed = 0;
      for (const id of new Set(ids)) {
        if (!owned.has(id)) continue;
        const task = this.#tasks.get(id) as StoredTask;
        this.#mutate(task, () => {
          task.leaseExpiresAt = now + leaseMs;
        });
        renewed++;
      }
      return renewed;
    }
    for (const id of owned) {
      const task = this.#tasks.get(id) as StoredTask;
      this.#mutate(task, () => {
        task.leaseExpiresAt = now + leaseMs;
      });
    }
    return owned.size;
  }

  async heartbeatInstance(instance: InstanceRecord): Promise<void> {
    this.#assertOpen();
    const record = checkInstanceRecord(instance, 'heartbeatInstance');
    this.#instances.set(record.id, { ...record, queues: [...record.queues] });
    const forgetBefore = record.heartbeatAt - INSTANCE_RECORD_RETENTION_MS;
    for (const [id, other] of this.#instances) if (other.expiresAt < forgetBefore) this.#instances.delete(id);
  }

  async removeInstance(id: string): Promise<void> {
    this.#assertOpen();
    this.#instances.delete(checkInstanceId(id, 'removeInstance'));
  }

  async listInstances(): Promise<InstanceRecord[]> {
    this.#assertOpen();
    return [...this.#instances.values()].map((r) => ({ ...r, queues: [...r.queues] })).sort(compareInstances);
  }

  async nextDueAt(queues?: readonly string[]): Promise<number | undefined> {
    this.#assertOpen();
    validateQueues(queues, 'queues');
    return earliest([...this.#due.select(queues), ...this.#leases.select(queues)])?.peekTime();
  }

  // ---- queries ---------------------------------------------------------------------------------

  async pending(after: PendingCursor | undefined, limit: number): Promise<StoredTask[]> {
    this.#assertOpen();
    if (after !== undefined) {
      if (typeof after !== 'object' || after === null) throw invalid('after', after, 'a cursor { createdAt, id }');
      validateTime(after.createdAt, 'after.createdAt');
      if (!isString(after.id)) throw invalid('after.id', after.id, 'a string');
    }
    validateNonNegativeInteger(limit, 'limit');
    return this.#order.after(after, limit).map((id) => copyTask(this.#tasks.get(id) as StoredTask));
  }

  async scheduled(until: number, limit: number): Promise<StoredTask[]> {
    this.#assertOpen();
    validateTime(until, 'until');
    validateNonNegativeInteger(limit, 'limit');
    const due: StoredTask[] = [];
    for (const id of this.#due.ids()) {
      const task = this.#tasks.get(id) as StoredTask;
      if (task.status === 'waiting' && (task.dueAt as number) <= until) due.push(task);
    }
    due.sort((a, b) => (a.dueAt as number) - (b.dueAt as number) || compareStrings(a.id, b.id));
    return due.slice(0, limit).map(copyTask);
  }

  async query(filter: TaskFilter, page?: TaskPage): Promise<TaskQueryResult> {
    this.#assertOpen();
    validateFilter(filter);
    const { offset, limit, sortBy, descending } = resolvePage(page);
    const matched = this.#filter(filter);
    matched.sort(taskComparator(sortBy, descending));
    return { items: matched.slice(offset, offset + limit).map(copyTask), total: matched.length };
  }

  async count(filter: TaskFilter = {}): Promise<StatusCount[]> {
    this.#assertOpen();
    validateFilter(filter);
    const cells = new Map<string, StatusCount>();
    for (const task of this.#filter(filter)) {
      const key = `${task.status}\u0000${task.queue}`;
      const cell = cells.get(key);
      if (cell === undefined) cells.set(key, { queue: task.queue, status: task.status, count: 1 });
      else cell.count++;
    }
    return [...cells.values()].sort((a, b) => compareStrings(a.queue, b.queue) || compareStrings(a.status, b.status));
  }

  // ---- history ---------------------------------------------------------------------------------

  async getStatusAudit(taskId: string): Promise<StatusAuditEntry[]> {
    this.#assertOpen();
    validateId(taskId, 'taskId');
    return (this.#statusAudit.get(taskId) ?? []).map((row) => ({ ...row }));
  }

  async getRunAudit(taskId: string): Promise<RunAuditEntry[]> {
    this.#assertOpen();
    validateId(taskId, 'taskId');
    return (this.#runAudit.get(taskId) ?? []).map((row) => ({ ...row }));
  }

  async saveExecutionLogs(taskId: string, logs: readonly ExecutionLogEntry[]): Promise<void> {
    this.#assertOpen();
    validateId(taskId, 'taskId');
    validateLogs(logs, 'logs');
    if (logs.length === 0) return;
    if (!this.#tasks.has(taskId)) throw new StorageError(`MemoryStorage: cannot save logs of unknown task "${taskId}".`);
    this.#appendLogs(taskId, logs);
  }

  async getExecutionLogs(taskId: string, skip = 0, take = 1000): Promise<ExecutionLogEntry[]> {
    this.#assertOpen();
    validateId(taskId, 'taskId');
    validateNonNegativeInteger(skip, 'skip');
    validateNonNegativeInteger(take, 'take');
    return (this.#logs.get(taskId) ?? []).slice(skip, skip + take).map((log) => ({ ...log }));
  }

  async countExecutionLogs(taskId: string): Promise<number> {
    this.#assertOpen();
    validateId(taskId, 'taskId');
    return this.#logs.get(taskId)?.length ?? 0;
  }

  // ---- maintenance -----------------------------------------------------------------------------

  async cleanup(policy: RetentionPolicy): Promise<RetentionResult> {
    this.#assertOpen();
    if (typeof policy !== 'object' || policy === null) throw invalid('policy', policy, 'an object');
    for (const key of ['completedBefore', 'failedBefore', 'auditBefore', 'logsBefore'] as const) {
      if (policy[key] !== undefined) validateTime(policy[key], `policy.${key}`);
    }
    let audits =
      policy.auditBefore === undefined
        ? 0
        : pruneByAge(this.#statusAudit, policy.auditBefore) + pruneByAge(this.#runAudit, policy.auditBefore);
    let logs = policy.logsBefore === undefined ? 0 : pruneByAge(this.#logs, policy.logsBefore);
    const expired = [...this.#tasks.values()].filter((task) => isExpired(task, policy));
    for (const task of expired) {
      // the history that goes with the task counts too (after the by-age pass, so each row once)
      audits += (this.#statusAudit.get(task.id)?.length ?? 0) + (this.#runAudit.get(task.id)?.length ?? 0);
      logs += this.#logs.get(task.id)?.length ?? 0;
      this.#delete(task);
    }
    return { tasks: expired.length, audits, logs };
  }

  // ---- notifications ---------------------------------------------------------------------------

  async subscribe(listener: (notification: StorageNotification) => void): Promise<() => Promise<void>> {
    this.#assertOpen();
    if (typeof listener !== 'function') throw invalid('listener', listener, 'a function');
    // Wrap so that subscribing one function twice yields two independent subscriptions.
    const entry: Listener = (n) => listener(n);
    this.#listeners.add(entry);
    return async () => {
      this.#listeners.delete(entry);
    };
  }

  async notify(notification: StorageNotification): Promise<void> {
    this.#assertOpen();
    if (typeof notification !== 'object' || notification === null) throw invalid('notification', notification, 'an object');
    if (notification.kind !== 'task-available' && notification.kind !== 'task-cancelled') {
      throw invalid('notification.kind', notification.kind, "'task-available' or 'task-cancelled'");
    }
    for (const listener of this.#listeners) {
      const copy = { ...notification };
      queueMicrotask(() => {
        try {
          listener(copy);
        } catch {
          // A failing listener must not affect the notifier or the other listeners.
        }
      });
    }
  }

  // ---- internals -------------------------------------------------------------------------------

  #assertOpen(): void {
    if (this.#closed) throw new StorageError('MemoryStorage: storage is closed; call open() before using it.');
  }

  #validateNewTasks(tasks: readonly NewTask[]): void {
    const ids = new Set<string>();
    const keys = new Set<string>();
    tasks.forEach((task, i) => {
      if (typeof task !== 'object' || task === null || !taskFieldsValid(task)) validateTask(task, `tasks[${i}]`);
      if (this.#tasks.has(task.id) || ids.has(task.id)) {
        throw new StorageError(`MemoryStorage: a task with id "${task.id}" already exists (tasks[${i}]).`);
      }
      ids.add(task.id);
      if (task.taskKey !== null) {
        if (this.#byKey.has(task.taskKey) || keys.has(task.taskKey)) throw new TaskKeyConflictError(task.taskKey);
        keys.add(task.taskKey);
      }
    });
  }

  #validateClaim(request: ClaimRequest): void {
    if (typeof request !== 'object' || request === null) throw invalid('request', request, 'a claim request');
    if (!isNonEmptyString(request.owner)) throw invalid('request.owner', request.owner, 'a non-empty string');
    validateTime(request.now, 'request.now');
    validateNonNegativeInteger(request.limit, 'request.limit');
    this.#validateLeaseMs(request.leaseMs, 'request.leaseMs');
    // A lease that ends at `now` would let one claim take the same task twice.
    if (!(request.now + request.leaseMs > request.now)) {
      throw invalid('request.leaseMs', request.leaseMs, 'long enough to end after request.now');
    }
    validateQueues(request.queues, 'request.queues');
  }

  #validateLeaseMs(leaseMs: unknown, argument = 'leaseMs'): void {
    if (!isFiniteNumber(leaseMs) || (leaseMs as number) <= 0) throw invalid(argument, leaseMs, 'a positive number of milliseconds');
  }

  #insert(task: StoredTask, audit: boolean): void {
    this.#tasks.set(task.id, task);
    if (task.taskKey !== null) this.#byKey.set(task.taskKey, task.id);
    this.#reindex(task, ABSENT, task);
    if (audit) this.#appendStatusAudit({ taskId: task.id, status: task.status, at: task.createdAt, error: null });
  }

  #delete(task: StoredTask): void {
    this.#reindex(task, task, ABSENT);
    this.#tasks.delete(task.id);
    if (task.taskKey !== null && this.#byKey.get(task.taskKey) === task.id) this.#byKey.delete(task.taskKey);
    this.#statusAudit.delete(task.id);
    this.#runAudit.delete(task.id);
    this.#logs.delete(task.id);
  }

  /** Runs `change` on the stored record and keeps every index in step with it. */
  #mutate(task: StoredTask, change: () => void): void {
    const before = indexState(task);
    change();
    this.#reindex(task, before, task);
  }

  /** Moves `task` in every index from where `before` put it to where `after` puts it. */
  #reindex(task: StoredTask, before: IndexState, after: IndexState): void {
    const id = task.id;
    const dueBefore = dueKey(before.status, before.dueAt);
    const dueAfter = dueKey(after.status, after.dueAt);
    if (dueBefore !== dueAfter || before.queue !== after.queue) {
      this.#due.move(id, before.queue, dueBefore, after.queue, dueAfter);
    }
    const leaseBefore = leaseKey(before.status, before.leaseExpiresAt);
    const leaseAfter = leaseKey(after.status, after.leaseExpiresAt);
    if (leaseBefore !== leaseAfter || before.queue !== after.queue) {
      this.#leases.move(id, before.queue, leaseBefore, after.queue, leaseAfter);
    }
    this.#moveOwner(id, ownerKey(before.status, before.leaseOwner), ownerKey(after.status, after.leaseOwner));
    const wasActive = before !== ABSENT && isActive(before.status);
    const isNowActive = after !== ABSENT && isActive(after.status);
    if (wasActive && !isNowActive) this.#order.delete(id);
    else if (!wasActive && isNowActive) this.#order.add(id, task.createdAt);
  }

  #moveOwner(id: string, before: string | null, after: string | null): void {
    if (before === after) return;
    if (before !== null) {
      const owned = this.#owners.get(before);
      owned?.delete(id);
      if (owned?.size === 0) this.#owners.delete(before);
    }
    if (after !== null) {
      let owned = this.#owners.get(after);
      if (owned === undefined) {
        owned = new Set();
        this.#owners.set(after, owned);
      }
      owned.add(id);
    }
  }

  #applyTransition(change: TaskTransition): boolean {
    const task = this.#tasks.get(change.id);
    if (task === undefined || !change.from.includes(task.status)) return false;
    if (change.owner !== undefined && task.leaseOwner !== change.owner) return false;
    const before = indexState(task);
    if (change.patch !== undefined) applyPatch(task, change.patch);
    task.status = change.to;
    task.updatedAt = change.at;
    this.#reindex(task, before, task);
    if (change.priorAudits !== undefined) {
      for (const prior of change.priorAudits) this.#appendStatusAudit({ taskId: task.id, status: prior.status, at: prior.at, error: prior.error });
    }
    if (change.audit !== undefined) {
      this.#appendStatusAudit({ taskId: task.id, status: change.to, at: change.at, error: change.audit.error });
    }
    if (change.runAudit !== undefined) {
      const run = change.runAudit;
      const row: RunAuditEntry = { taskId: task.id, at: run.at, status: run.status, executionTimeMs: run.executionTimeMs, error: run.error };
      appendTo(this.#runAudit, task.id, row, compareAt);
    }
    if (change.logs !== undefined && change.logs.length > 0) this.#appendLogs(task.id, change.logs);
    return true;
  }

  #appendStatusAudit(row: StatusAuditEntry): void {
    appendTo(this.#statusAudit, row.taskId, row, compareAt);
  }

  #appendLogs(taskId: string, logs: readonly ExecutionLogEntry[]): void {
    for (const log of logs) appendTo(this.#logs, taskId, copyLog(log, taskId), compareLogs);
  }

  #filter(filter: TaskFilter): StoredTask[] {
    if (filter.ids !== undefined) {
      const found: StoredTask[] = [];
      for (const id of new Set(filter.ids)) {
        const task = this.#tasks.get(id);
        if (task !== undefined && matchesFilter(task, filter)) found.push(task);
      }
      return found;
    }
    if (filter.taskKey !== undefined) {
      const id = this.#byKey.get(filter.taskKey);
      const task = id === undefined ? undefined : this.#tasks.get(id);
      return task !== undefined && matchesFilter(task, filter) ? [task] : [];
    }
    const found: StoredTask[] = [];
    for (const task of this.#tasks.values()) if (matchesFilter(task, filter)) found.push(task);
    return found;
  }
}

function compareAt(a: { at: number }, b: { at: number }): number {
  return a.at - b.at;
}

function appendTo<T>(map: Map<string, T[]>, taskId: string, row: T, compare: (a: T, b: T) => number): void {
  let rows = map.get(taskId);
  if (rows === undefined) {
    rows = [];
    map.set(taskId, rows);
  }
  insertSorted(rows, row, compare);
}

/** Removes rows older than `before` from every list; returns how many. */
function pruneByAge<T extends { at: number }>(map: Map<string, T[]>, before: number): number {
  let removed = 0;
  for (const [taskId, rows] of map) {
    const kept = rows.filter((row) => row.at >= before);
    removed += rows.length - kept.length;
    if (kept.length === 0) map.delete(taskId);
    else if (kept.length !== rows.length) map.set(taskId, kept);
  }
  return removed;
}

function isExpired(task: StoredTask, policy: RetentionPolicy): boolean {
  if (task.recurring !== null) return false;
  if (task.status === 'completed') return policy.completedBefore !== undefined && task.updatedAt < policy.completedBefore;
  if (task.status === 'failed' || task.status === 'cancelled') {
    return policy.failedBefore !== undefined && task.updatedAt < policy.failedBefore;
  }
  return false;
}
