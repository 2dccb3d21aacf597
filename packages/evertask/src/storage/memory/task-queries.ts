import { compareStrings } from '../../collections/sorted-insert.js';
import type { StoredTask } from '../../ports/task-record.js';
import type { PendingCursor, StatusCount, TaskFilter, TaskQueryResult, TaskSortField } from '../../ports/task-storage.js';
import { copyTaskFields } from '../../storage-kit/task-fields.js';
import type { ResolvedTaskPage } from '../../storage-kit/task-page.js';
import type { TaskTable } from './task-table.js';

/** A copy of a stored record, handed out so that no caller can change what is stored. */
export const copyTask: (task: StoredTask) => StoredTask = copyTaskFields;

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
  if (filter.dueBefore !== undefined && (task.dueAt === null || task.dueAt >= filter.dueBefore)) return false;
  if (filter.search !== undefined) {
    const needle = filter.search.toLowerCase();
    if (!includesFolded(task.name, needle) && !includesFolded(task.taskKey, needle)) return false;
  }
  return true;
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
