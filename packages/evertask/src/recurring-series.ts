import type { TaskStatus } from './ports/task-record.js';
import type { TaskStorage } from './ports/task-storage.js';
import { isTerminal } from './state-machine.js';
import { storageCall } from './storage/storage-call.js';

/** A recurring series as `recurring()` lists it. */
export interface RecurringSeries {
  id: string;
  name: string;
  taskKey: string | null;
  queue: string;
  status: TaskStatus;
  /** Human-readable schedule, e.g. "every day at 03:00 (Europe/Rome)". */
  description: string | null;
  /** Null once the series is over or cancelled. */
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  lastOutcome: 'completed' | 'failed' | null;
  runCount: number;
  maxRuns: number | null;
  runUntil: Date | null;
}

/** `EverTask.recurring()`: every recurring series in the storage, oldest first, read 500 at a time. */
export async function listRecurringSeries(storage: TaskStorage): Promise<RecurringSeries[]> {
  const out: RecurringSeries[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await storageCall('query', () => storage.query({ recurring: true }, { offset, limit: 500, sortBy: 'createdAt', descending: false }));
    for (const t of page.items) {
      out.push({
        id: t.id,
        name: t.name,
        taskKey: t.taskKey,
        queue: t.queue,
        status: t.status,
        description: t.recurringInfo,
        nextRunAt: t.dueAt === null || isTerminal(t.status) ? null : new Date(t.dueAt),
        lastRunAt: t.lastExecutionAt === null ? null : new Date(t.lastExecutionAt),
        lastOutcome: t.lastOutcome,
        runCount: t.runCount,
        maxRuns: t.maxRuns,
        runUntil: t.runUntil === null ? null : new Date(t.runUntil),
      });
    }
    if (page.items.length < 500) break;
  }
  return out;
}
