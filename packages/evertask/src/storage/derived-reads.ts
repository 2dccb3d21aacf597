import type { LogLevel, StoredTask } from '../ports/task-record.js';
import type { HistoryStore, TaskReads } from '../ports/task-storage.js';
import { DEFAULT_LOG_PAGE_SIZE } from '../storage-kit/task-page.js';

/**
 * The `waiting` tasks due at or before `until`, earliest first (ties by id): derived from
 * `query`, so a storage implements no separate scan for it.
 *
 * @example
 * ```ts
 * const dueSoon = await scheduledTasks(storage, Date.now() + 60_000, 100);
 * ```
 */
export async function scheduledTasks(storage: TaskReads, until: number, limit: number): Promise<StoredTask[]> {
  const result = await storage.query({ statuses: ['waiting'], dueBefore: until + 1 }, { sortBy: 'dueAt', descending: false, limit });
  return result.items;
}

/**
 * How many execution logs a task has (of `minLevel` and above, when given): derived from paged
 * `getExecutionLogs` reads.
 */
export async function countExecutionLogs(storage: HistoryStore, taskId: string, minLevel?: LogLevel): Promise<number> {
  let count = 0;
  for (;;) {
    const page = await storage.getExecutionLogs(taskId, count, DEFAULT_LOG_PAGE_SIZE, minLevel);
    count += page.length;
    if (page.length < DEFAULT_LOG_PAGE_SIZE) return count;
  }
}
