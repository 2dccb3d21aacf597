import type { TaskPage, TaskSortField } from '../ports/task-storage.js';

/** The fields `query` sorts by. */
export const TASK_SORT_FIELDS: readonly TaskSortField[] = ['createdAt', 'updatedAt', 'dueAt', 'lastExecutionAt', 'status', 'name', 'queue'];

/** A `TaskPage` with every default filled in. */
export type ResolvedTaskPage = Required<TaskPage>;

/** The page `query` returns when given none: the 50 newest tasks. */
export const DEFAULT_TASK_PAGE: ResolvedTaskPage = Object.freeze({ offset: 0, limit: 50, sortBy: 'createdAt', descending: true });

/** How many execution logs `getExecutionLogs` returns when `take` is omitted. */
export const DEFAULT_LOG_PAGE_SIZE = 1000;
