import type { TaskStatus } from './ports/task-record.js';

/**
 * The one table of allowed status changes. Every status write goes through a storage
 * `transition` whose `from` guard comes from here, so a terminal task is never overwritten by a
 * late cancel or a duplicate completion.
 *
 * - `waiting`: stored, not yet taken by an instance (delayed, scheduled, awaiting a retry, or a
 *   recurring series between runs).
 * - `queued`: taken (leased) by an instance and in its local queue.
 * - `in-progress`: running.
 * - `service-stopped`: interrupted by a shutdown; runs again when an engine starts.
 * - `completed`, `failed`, `cancelled`: terminal.
 *
 * One change leaves a terminal status, and only on an operator's request: `EverTask.retry` moves
 * a `failed` task back to `waiting` (management/retry-task.ts). No engine path does.
 */
const ALLOWED: Record<TaskStatus, readonly TaskStatus[]> = {
  waiting: ['waiting', 'queued', 'cancelled', 'failed'],
  queued: ['queued', 'waiting', 'in-progress', 'cancelled', 'failed', 'service-stopped'],
  'in-progress': ['queued', 'waiting', 'completed', 'failed', 'cancelled', 'service-stopped'],
  'service-stopped': ['queued', 'waiting', 'cancelled', 'failed'],
  completed: [],
  failed: [],
  cancelled: [],
};

const SOURCES = new Map<TaskStatus, readonly TaskStatus[]>();
for (const to of Object.keys(ALLOWED) as TaskStatus[]) {
  SOURCES.set(
    to,
    (Object.keys(ALLOWED) as TaskStatus[]).filter((from) => ALLOWED[from].includes(to)),
  );
}

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** The statuses a task may be in for a change to `to` to be allowed. */
export function allowedSources(to: TaskStatus): readonly TaskStatus[] {
  return SOURCES.get(to) ?? [];
}

export function isTerminal(status: TaskStatus): boolean {
  return ALLOWED[status].length === 0;
}

/** Statuses of finished tasks (no change leads out of them). */
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

/** Statuses of tasks that still have work to do. */
export const ACTIVE_STATUSES: readonly TaskStatus[] = ['waiting', 'queued', 'in-progress', 'service-stopped'];
