import { TASK_STATUSES, type TaskStatus } from '../ports/task-record.js';
import type { StorageNotification, TaskEventEntry } from '../ports/task-storage.js';
import { isCount, isTime } from './field-types.js';

/** The engine events the cross-process feed carries, with the status each one leaves the task in. */
export const FEED_EVENT_STATUS: Readonly<Record<string, TaskStatus>> = {
  'task:dispatched': 'waiting',
  'task:started': 'in-progress',
  'task:completed': 'completed',
  'task:failed': 'failed',
  'task:retrying': 'waiting',
  'task:cancelled': 'cancelled',
  'task:stopped': 'service-stopped',
  'task:recovered': 'queued',
  'task:poisoned': 'failed',
};

/** Longest error text an entry carries (longer messages are cut, with an ellipsis). */
export const FEED_ERROR_MAX_CHARS = 200;
/** Longest instance id, task id, name or queue a received entry may hold. */
const MAX_TEXT = 200;

const STATUSES: ReadonlySet<unknown> = new Set(TASK_STATUSES);

/** Cuts an error message to `FEED_ERROR_MAX_CHARS`. */
export function truncateFeedError(message: string): string {
  return message.length <= FEED_ERROR_MAX_CHARS ? message : `${message.slice(0, FEED_ERROR_MAX_CHARS - 1)}…`;
}

function entryJson(e: TaskEventEntry): string {
  return JSON.stringify([e.type, e.taskId, e.taskName, e.queue, e.status, e.at, e.attempt ?? null, e.error ?? null]);
}

/**
 * Serializes a `task-events` notification into payloads of at most `maxBytes` UTF-8 bytes each
 * (PostgreSQL's `pg_notify` takes less than 8,000): as many entries per payload as fit, in order,
 * each entry `[type, taskId, taskName, queue, status, at, attempt|null, error|null]`. An entry
 * that alone does not fit is left out and counted in `omitted`, which the last payload carries
 * with the sender's own count. No payload when there is nothing to say.
 */
export function encodeTaskEvents(notification: StorageNotification, maxBytes: number): string[] {
  const from = JSON.stringify(notification.instanceId ?? '');
  const head = (omitted: number) => `{"kind":"task-events","instanceId":${from},"omitted":${omitted},"events":[`;
  // room for the head with the largest count and the closing "]}"
  const room = maxBytes - Buffer.byteLength(head(Number.MAX_SAFE_INTEGER)) - 2;
  const payloads: string[][] = [];
  let current: string[] = [];
  let used = 0;
  let omitted = notification.omitted ?? 0;
  for (const entry of notification.events ?? []) {
    const json = entryJson(entry);
    const size = Buffer.byteLength(json) + 1;
    if (size > room) {
      omitted++;
      continue;
    }
    if (used + size > room) {
      payloads.push(current);
      current = [];
      used = 0;
    }
    current.push(json);
    used += size;
  }
  if (current.length > 0 || (payloads.length === 0 && omitted > 0)) payloads.push(current);
  return payloads.map((entries, i) => `${head(i === payloads.length - 1 ? omitted : 0)}${entries.join(',')}]}`);
}

/** Whether `value` is a well-formed `TaskEventEntry` (what `StorageChecks.checkNotification` accepts). */
export function isTaskEventEntry(value: unknown): value is TaskEventEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return readEntry([e.type, e.taskId, e.taskName, e.queue, e.status, e.at, e.attempt ?? null, e.error ?? null]) !== undefined;
}

function text(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_TEXT;
}

/** One wire entry, or undefined when it is malformed. */
function readEntry(raw: unknown): TaskEventEntry | undefined {
  if (!Array.isArray(raw) || raw.length !== 8) return undefined;
  const [type, taskId, taskName, queue, status, at, attempt, error] = raw as unknown[];
  if (typeof type !== 'string' || FEED_EVENT_STATUS[type] === undefined) return undefined;
  if (!text(taskId) || !text(taskName) || !text(queue) || !STATUSES.has(status) || !isTime(at)) return undefined;
  if (attempt !== null && !isCount(attempt)) return undefined;
  if (error !== null && (typeof error !== 'string' || error.length > FEED_ERROR_MAX_CHARS)) return undefined;
  const entry: TaskEventEntry = { type, taskId, taskName, queue, status: status as TaskStatus, at };
  if (attempt !== null) entry.attempt = attempt as number;
  if (error !== null) entry.error = error;
  return entry;
}

/**
 * Reads a parsed `task-events` payload (the object `encodeTaskEvents` wrote, already through
 * `JSON.parse`), never trusting it: malformed entries are dropped and counted in `rejected`; a
 * payload without a valid sender or entry list is rejected whole (`events` empty, `rejected` ≥ 1).
 */
export function decodeTaskEvents(value: Record<string, unknown>): StorageNotification {
  const notification: StorageNotification = { kind: 'task-events', events: [] };
  if (!text(value.instanceId) || !Array.isArray(value.events)) {
    notification.rejected = Array.isArray(value.events) && value.events.length > 0 ? value.events.length : 1;
    return notification;
  }
  notification.instanceId = value.instanceId;
  const events: TaskEventEntry[] = [];
  let rejected = 0;
  for (const raw of value.events as unknown[]) {
    const entry = readEntry(raw);
    if (entry === undefined) rejected++;
    else events.push(entry);
  }
  notification.events = events;
  if (isCount(value.omitted) && value.omitted > 0) notification.omitted = value.omitted;
  if (rejected > 0) notification.rejected = rejected;
  return notification;
}
