import type { StoredTask } from '../ports/task-record.js';
import type { StorageNotification } from '../ports/task-storage.js';

const KINDS: ReadonlySet<string> = new Set(['task-available', 'task-cancelled']);

/** Whether `kind` is a notification kind of the contract. */
export function isNotificationKind(kind: unknown): kind is StorageNotification['kind'] {
  return typeof kind === 'string' && KINDS.has(kind);
}

/**
 * Parses a notification as a storage sent it over its channel (`{"kind":…,"dueAt":…,"taskId":…}`).
 * Unknown or malformed payloads become a plain `task-available`: the safe reading of "something
 * changed".
 */
export function parseNotificationPayload(payload: string | undefined): StorageNotification {
  if (payload === undefined || payload === '') return { kind: 'task-available' };
  try {
    const value: unknown = JSON.parse(payload);
    if (typeof value !== 'object' || value === null) return { kind: 'task-available' };
    const raw = value as Record<string, unknown>;
    const notification: StorageNotification = { kind: isNotificationKind(raw.kind) ? raw.kind : 'task-available' };
    if (typeof raw.dueAt === 'number' && Number.isFinite(raw.dueAt)) notification.dueAt = raw.dueAt;
    if (typeof raw.taskId === 'string') notification.taskId = raw.taskId;
    return notification;
  } catch {
    return { kind: 'task-available' };
  }
}

/** A notification as a storage sends it (the shape `parseNotificationPayload` reads). */
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
