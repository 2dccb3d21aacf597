import { Hono } from 'hono';
import type { TaskFilter } from 'evertask';
import type { ExecutionLogsPage, TaskCounts, TasksPage } from '../api-types.js';
import type { MonitorEnv } from '../monitor-env.js';
import type { MonitorSource } from '../data/monitor-source.js';
import { ApiError } from '../errors.js';
import { byStatus } from '../data/statistics-mapping.js';
import { toDetail, toListItem, toLogItem, toRunAuditItem, toStatusAuditItem } from '../data/task-dto.js';
import { executionLogsQuery, noQuery, parseQuery, taskIdParam, taskListQuery, type ListFilterFields } from '../validation.js';
import type { LogLevel } from 'evertask';

/** The storage filter of validated list fields (`queue` from a path overrides the field); 400 for an empty created range. */
export function listFilter(q: ListFilterFields, queue?: string): TaskFilter {
  if (q.createdAfter !== undefined && q.createdBefore !== undefined && q.createdAfter >= q.createdBefore) {
    throw new ApiError('ERR_BAD_REQUEST', 'Query parameter createdBefore must be later than createdAfter.', 'createdBefore');
  }
  const filter: TaskFilter = {};
  if (q.statuses !== undefined && q.statuses.length > 0) filter.statuses = q.statuses;
  if (q.name !== undefined) filter.nameContains = q.name;
  if (queue !== undefined) filter.queue = queue;
  else if (q.queue !== undefined) filter.queue = q.queue;
  if (q.recurring !== undefined) filter.recurring = q.recurring;
  if (q.createdAfter !== undefined) filter.createdAfter = q.createdAfter;
  if (q.createdBefore !== undefined) filter.createdBefore = q.createdBefore;
  if (q.search !== undefined) filter.search = q.search;
  return filter;
}

/** Answers one page of the task list for validated query parameters (also used by `/queues/:name/tasks`). */
export async function taskPage(source: MonitorSource, query: Record<string, string[]>, maxPageSize: number, queue?: string): Promise<TasksPage> {
  const q = parseQuery(taskListQuery(maxPageSize), query);
  const filter = listFilter(q, queue);
  const result = await source.queryTasks(filter, { offset: (q.page - 1) * q.pageSize, limit: q.pageSize, sortBy: q.sortBy, descending: q.sortDescending });
  return {
    items: result.items.map(toListItem),
    totalCount: result.total,
    page: q.page,
    pageSize: q.pageSize,
    totalPages: Math.ceil(result.total / q.pageSize),
  };
}

/** The task of the `:id` path parameter: 400 for a malformed id, 404 for an unknown one. */
export async function existingTask(source: MonitorSource, idText: string | undefined) {
  const id = taskIdParam(idText);
  const task = await source.getTask(id);
  if (task === undefined) throw new ApiError('ERR_NOT_FOUND', `No task with id ${id}.`, 'id');
  return task;
}

/** `/tasks`: list, counts, detail, status history, runs, execution logs (the actions: task-action-routes.ts). */
export function taskRoutes(source: MonitorSource, maxPageSize: number): Hono<MonitorEnv> {
  const routes = new Hono<MonitorEnv>();

  routes.get('/', async (c) => c.json(await taskPage(source, c.req.queries(), maxPageSize)));

  routes.get('/counts', async (c) => {
    parseQuery(noQuery, c.req.queries());
    const [all, recurring] = await Promise.all([source.countTasks({}), source.countTasks({ recurring: true })]);
    const allCounts = byStatus(all);
    const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    const answer: TaskCounts = {
      all: total(allCounts),
      recurring: total(byStatus(recurring)),
      standard: total(allCounts) - total(byStatus(recurring)),
      failed: allCounts.failed,
    };
    return c.json(answer);
  });

  routes.get('/:id', async (c) => {
    const task = await existingTask(source, c.req.param('id'));
    const [statuses, runs, logCount] = await Promise.all([source.statusHistory(task.id), source.runHistory(task.id), source.countExecutionLogs(task.id)]);
    return c.json(toDetail(task, statuses, runs, logCount));
  });

  routes.get('/:id/status-audit', async (c) => {
    const task = await existingTask(source, c.req.param('id'));
    return c.json((await source.statusHistory(task.id)).map(toStatusAuditItem));
  });

  routes.get('/:id/runs-audit', async (c) => {
    const task = await existingTask(source, c.req.param('id'));
    return c.json((await source.runHistory(task.id)).map(toRunAuditItem));
  });

  routes.get('/:id/execution-logs', async (c) => {
    const task = await existingTask(source, c.req.param('id'));
    const q = parseQuery(executionLogsQuery, c.req.queries());
    const slice = await source.executionLogs(task.id, q.skip, q.take, q.level as LogLevel | undefined);
    const answer: ExecutionLogsPage = { logs: slice.logs.map(toLogItem), totalCount: slice.total, skip: q.skip, take: q.take };
    return c.json(answer);
  });

  return routes;
}
