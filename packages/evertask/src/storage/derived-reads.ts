import type { LogLevel, StoredTask } from '../ports/task-record.js';
import type { TaskReads } from '../ports/task-storage.js';
import type { TaskStatistics } from '../ports/task-statistics.js';

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
 * How many execution logs a task has (of `minLevel` and above, when given): the storage's own
 * count (`TaskStatistics.countExecutionLogs`, one counting query). Kept as a function for the
 * callers of earlier versions.
 */
export function countExecutionLogs(storage: Pick<TaskStatistics, 'countExecutionLogs'>, taskId: string, minLevel?: LogLevel): Promise<number> {
  return storage.countExecutionLogs(taskId, minLevel);
}
