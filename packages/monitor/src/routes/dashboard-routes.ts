import { Hono } from 'hono';
import type { StoredTask } from 'evertask';
import type { ActivityItem, Overview } from '../api-types.js';
import type { MonitorEnv } from '../monitor-env.js';
import type { MonitorSource } from '../data/monitor-source.js';
import type { RateLimitTracker } from '../data/rate-limit-tracker.js';
import { limitQuery, parseQuery, rangeQuery } from '../validation.js';

function activityMessage(task: StoredTask): string {
  switch (task.status) {
    case 'completed':
      return task.executionTimeMs === null ? 'Completed.' : `Completed in ${Math.round(task.executionTimeMs)} ms.`;
    case 'failed':
      return `Failed: ${(task.error ?? 'no error text').split('\n', 1)[0]}`;
    case 'cancelled':
      return 'Cancelled.';
    case 'in-progress':
      return `Running (attempt ${task.attempts}).`;
    case 'queued':
      return 'Queued on an instance.';
    case 'service-stopped':
      return 'Interrupted by a shutdown; runs again at the next start.';
    case 'waiting':
      return task.dueAt === null ? 'Waiting.' : `Waiting until ${new Date(task.dueAt).toISOString()}.`;
  }
}

/** The latest changed tasks, newest first (one `query` sorted by `updatedAt`). */
export async function recentActivity(source: MonitorSource, limit: number): Promise<ActivityItem[]> {
  const page = await source.queryTasks({}, { limit, sortBy: 'updatedAt', descending: true });
  return page.items.map((task) => ({
    taskId: task.id,
    name: task.name,
    queue: task.queue,
    status: task.status,
    timestamp: new Date(task.lastExecutionAt ?? task.updatedAt).toISOString(),
    message: activityMessage(task),
  }));
}

/** `/dashboard/overview` and `/dashboard/recent-activity`. */
export function dashboardRoutes(source: MonitorSource, rateLimits: RateLimitTracker): Hono<MonitorEnv> {
  const routes = new Hono<MonitorEnv>();

  routes.get('/overview', async (c) => {
    const { range } = parseQuery(rangeQuery('today'), c.req.queries());
    const [overview, activity] = await Promise.all([source.overview(range, rateLimits.byQueue()), recentActivity(source, 20)]);
    const answer: Overview = { ...overview, recentActivity: activity };
    return c.json(answer);
  });

  routes.get('/recent-activity', async (c) => {
    const { limit } = parseQuery(limitQuery, c.req.queries());
    return c.json(await recentActivity(source, limit));
  });

  return routes;
}
