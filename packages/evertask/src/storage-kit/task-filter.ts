import { compareStrings } from '../collections/sorted-insert.js';
import type { StoredTask } from '../ports/task-record.js';
import type { TaskFilter, TaskSortField } from '../ports/task-storage.js';

function includesFolded(haystack: string | null, needle: string): boolean {
  return haystack !== null && haystack.toLowerCase().includes(needle);
}

/**
 * Whether `task` matches every field of a checked `TaskFilter` (the contract's semantics, for
 * storages that filter in memory: the in-memory storage, and key-value adapters scanning a
 * candidate set).
 */
export function matchesTaskFilter(task: StoredTask, filter: TaskFilter): boolean {
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

/** The order of `query`: by the field (nulls last, text by code point), ties by id, both in the sort direction. */
export function taskSortComparator(sortBy: TaskSortField, descending: boolean): (a: StoredTask, b: StoredTask) => number {
  return (a, b) => {
    const byField = compareSortValues(a[sortBy], b[sortBy], descending);
    if (byField !== 0) return byField;
    const byId = compareStrings(a.id, b.id);
    return descending ? -byId : byId;
  };
}
