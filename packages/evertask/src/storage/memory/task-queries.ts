import { compareStrings } from '../../collections/sorted-insert.js';
import { matchesTaskFilter as matchesFilter, taskSortComparator as taskComparator } from '../../storage-kit/task-filter.js';
import type { StoredTask } from '../../ports/task-record.js';
import type { PendingCursor, StatusCount, TaskFilter, TaskQueryResult } from '../../ports/task-storage.js';
import { copyTaskFields } from '../../storage-kit/task-fields.js';
import type { ResolvedTaskPage } from '../../storage-kit/task-page.js';
import type { TaskTable } from './task-table.js';

/** A copy of a stored record, handed out so that no caller can change what is stored. */
export const copyTask: (task: StoredTask) => StoredTask = copyTaskFields;

/** The tasks matching `filter`, using the id and task-key indexes when the filter names them. */
function filterTasks(table: TaskTable, filter: TaskFilter): StoredTask[] {
  if (filter.ids !== undefined) {
    const found: StoredTask[] = [];
    for (const id of new Set(filter.ids)) {
      const task = table.get(id);
      if (task !== undefined && matchesFilter(task, filter)) found.push(task);
    }
    return found;
  }
  if (filter.taskKey !== undefined) {
    const task = table.byKey(filter.taskKey);
    return task !== undefined && matchesFilter(task, filter) ? [task] : [];
  }
  const found: StoredTask[] = [];
  for (const task of table.values()) if (matchesFilter(task, filter)) found.push(task);
  return found;
}

/** Non-terminal tasks after the cursor, by (createdAt, id). */
export function pendingTasks(table: TaskTable, after: PendingCursor | undefined, limit: number): StoredTask[] {
  return table.order.after(after, limit).map((id) => copyTask(table.get(id) as StoredTask));
}

/** Filtered, sorted (nulls last, ties by id in the sort direction), paged tasks with the total. */
export function queryTasks(table: TaskTable, filter: TaskFilter, page: ResolvedTaskPage): TaskQueryResult {
  const matched = filterTasks(table, filter);
  matched.sort(taskComparator(page.sortBy, page.descending));
  return { items: matched.slice(page.offset, page.offset + page.limit).map(copyTask), total: matched.length };
}

/** Counts by queue and status of the matching tasks, by queue then status. */
export function countTasks(table: TaskTable, filter: TaskFilter): StatusCount[] {
  const cells = new Map<string, StatusCount>();
  for (const task of filterTasks(table, filter)) {
    const key = `${task.status}\u0000${task.queue}`;
    const cell = cells.get(key);
    if (cell === undefined) cells.set(key, { queue: task.queue, status: task.status, count: 1 });
    else cell.count++;
  }
  return [...cells.values()].sort((a, b) => compareStrings(a.queue, b.queue) || compareStrings(a.status, b.status));
}
