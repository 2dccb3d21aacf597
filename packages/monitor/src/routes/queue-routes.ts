import { Hono } from 'hono';
import type { MonitorEnv } from '../monitor-env.js';
import type { MonitorSource } from '../data/monitor-source.js';
import type { RateLimitTracker } from '../data/rate-limit-tracker.js';
import { ApiError } from '../errors.js';
import { noQuery, parseQuery } from '../validation.js';
import { taskPage } from './task-routes.js';

const QUEUE_NAME_RE = /^[A-Za-z0-9._:\-/]{1,100}$/;

/** `/queues` (configuration and counts of every queue) and `/queues/:name/tasks`. */
export function queueRoutes(source: MonitorSource, rateLimits: RateLimitTracker, maxPageSize: number): Hono<MonitorEnv> {
  const routes = new Hono<MonitorEnv>();

  const metrics = async (query: Record<string, string[]>) => {
    parseQuery(noQuery, query);
    return source.queueMetrics(rateLimits.byQueue());
  };
  routes.get('/', async (c) => c.json(await metrics(c.req.queries())));
  // the .NET API's name for the same view (configuration + metrics)
  routes.get('/configurations', async (c) => c.json(await metrics(c.req.queries())));

  routes.get('/:name/tasks', async (c) => {
    const name = c.req.param('name');
    if (!QUEUE_NAME_RE.test(name)) {
      throw new ApiError('ERR_BAD_REQUEST', `Path parameter name must be a queue name (1–100 letters, digits, ._:-/); received ${JSON.stringify(name)}.`, 'name');
    }
    const query = c.req.queries();
    if ('queue' in query) throw new ApiError('ERR_BAD_REQUEST', 'Query parameter queue: the queue is in the path here.', 'queue');
    return c.json(await taskPage(source, query, maxPageSize, name));
  });

  return routes;
}
