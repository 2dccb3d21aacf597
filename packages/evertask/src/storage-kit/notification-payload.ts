import type { StoredTask } from '../ports/task-record.js';
import type { StorageNotification } from '../ports/task-storage.js';
import { decodeTaskEvents, encodeTaskEvents } from './task-events-codec.js';

/** The kinds with no payload but `dueAt` and `taskId` (the feed's kinds are read apart). */
const WAKE_UP_KINDS: ReadonlySet<string> = new Set(['task-available', 'task-cancelled', 'queue-state']);

/**
 * Parses a notification as a storage sent it over its channel (`{"kind":…,"dueAt":…,"taskId":…}`).
 * Unknown or malformed payloads become a plain `task-available`: the safe reading of "something
 * changed". A `task-events` payload is read by `decodeTaskEvents` (malformed entries dropped and
 * counted).
 */
export function parseNotificationPayload(payload: string | undefined): StorageNotification {
  if (payload === undefined || payload === '') return { kind: 'task-available' };
  try {
    const value: unknown = JSON.parse(payload);
    if (typeof value !== 'object' || value === null) return { kind: 'task-available' };
    const raw = value as Record<string, unknown>;
    if (raw.kind === 'task-events') return decodeTaskEvents(raw);
    if (raw.kind === 'task-events-watch') {
      return typeof raw.instanceId === 'string' && raw.instanceId.length > 0 ? { kind: 'task-events-watch', instanceId: raw.instanceId } : { kind: 'task-available' };
    }
    const kind = typeof raw.kind === 'string' && WAKE_UP_KINDS.has(raw.kind) ? (raw.kind as StorageNotification['kind']) : 'task-available';
    const notification: StorageNotification = { kind };
    if (typeof raw.dueAt === 'number' && Number.isFinite(raw.dueAt)) notification.dueAt = raw.dueAt;
    if (typeof raw.taskId === 'string') notification.taskId = raw.taskId;
    return notification;
  } catch {
    return { kind: 'task-available' };
  }
}

/**
 * A notification (checked by `StorageChecks.checkNotification`) as the payloads a storage sends:
 * one, or for `task-events` as many as its entries need, each of at most `maxBytes` UTF-8 bytes.
 */
export function formatNotificationPayloads(notification: StorageNotification, maxBytes: number): string[] {
  if (notification.kind === 'task-events') return encodeTaskEvents(notification, maxBytes);
  if (notification.kind === 'task-events-watch') return [JSON.stringify({ kind: notification.kind, instanceId: notification.instanceId })];
  return [formatNotificationPayload(notification)];
}

/** A wake-up (`task-available`, `task-cancelled`) as a storage sends it (the shape `parseNotificationPayload` reads). */
export function formatNotificationPayload(notification: StorageNotification): string {
  const out: Record<string, unknown> = { kind: notification.kind };
  if (notification.dueAt !== undefined) out.dueAt = notification.dueAt;
  if (notification.taskId !== undefined) out.taskId = notification.taskId;
  return JSON.stringify(out);
}

/**
 * The wake-up an insert of `tasks` sends: the earliest due time of the runnable ones (`waiting` or
 * `service-stopped` with a `dueAt`), with the task's id when only one is; null when none is runnable.
 */
export function wakeUpPayload(tasks: readonly StoredTask[]): string | null {
  let dueAt: number | undefined;
  let taskId: string | undefined;
  let runnable = 0;
  for (const t of tasks) {
    if ((t.status !== 'waiting' && t.status !== 'service-stopped') || t.dueAt === null) continue;
    runnable++;
    taskId = t.id;
    if (dueAt === undefined || t.dueAt < dueAt) dueAt = t.dueAt;
  }
  if (dueAt === undefined) return null;
  return formatNotificationPayload(runnable === 1 ? { kind: 'task-available', dueAt, taskId } : { kind: 'task-available', dueAt });
}
