import { Hono } from 'hono';
import type { Logger } from 'evertask';
import type { QueueStateResponse, QueueView } from '../api-types.js';
import type { MonitorEnv } from '../monitor-env.js';
import type { MonitorSource } from '../data/monitor-source.js';
import type { RateLimitTracker } from '../data/rate-limit-tracker.js';
import { ApiError } from '../errors.js';
import { noQuery, parseQuery, queueNameParam } from '../validation.js';
import { taskPage } from './task-routes.js';

/** Queues with their paused state; a paused queue with no tasks and no configuration here is listed too. */
async function queueViews(source: MonitorSource, rateLimits: RateLimitTracker): Promise<QueueView[]> {
  const [metrics, paused] = await Promise.all([source.queueMetrics(rateLimits.byQueue()), source.pausedQueues()]);
  const byName = new Map(paused.map((entry) => [entry.queue, entry]));
  const views: QueueView[] = metrics.map((queue) => {
    const pause = byName.get(queue.queueName);
    byName.delete(queue.queueName);
    return { ...queue, paused: pause !== undefined, pausedAt: pause?.pausedAt.toISOString() ?? null, pausedBy: pause?.pausedBy ?? null };
  });
  for (const pause of byName.values()) {
    views.push({
      queueName: pause.queue,
      configured: false,
      concurrency: null,
      capacity: null,
      whenFull: null,
      timeoutMs: null,
      running: 0,
      buffered: 0,
      totalTasks: 0,
      pendingTasks: 0,
      inProgressTasks: 0,
      completedTasks: 0,
      failedTasks: 0,
      cancelledTasks: 0,
      throttledCount: 0,
      successRate: null,
      avgExecutionTimeMs: null,
      paused: true,
      pausedAt: pause.pausedAt.toISOString(),
      pausedBy: pause.pausedBy,
    });
  }
  return views.sort((a, b) => a.queueName.localeCompare(b.queueName));
}

/**
 * `/queues` (configuration, counts and paused state of every queue), `/queues/:name/tasks`, and
 * the actions `POST /queues/:name/pause` and `/resume` (persisted in the storage: every engine on
 * it stops claiming from a paused queue).
 */
export function queueRoutes(source: MonitorSource, rateLimits: RateLimitTracker, maxPageSize: number, logger: Logger): Hono<MonitorEnv> {
  const routes = new Hono<MonitorEnv>();

  const views = async (query: Record<string, string[]>) => {
    parseQuery(noQuery, query);
    return queueViews(source, rateLimits);
  };
  routes.get('/', async (c) => c.json(await views(c.req.queries())));
  // the .NET API's name for the same view (configuration + metrics)
  routes.get('/configurations', async (c) => c.json(await views(c.req.queries())));

  routes.get('/:name/tasks', async (c) => {
    const name = queueNameParam(c.req.param('name'));
    const query = c.req.queries();
    if ('queue' in query) throw new ApiError('ERR_BAD_REQUEST', 'Query parameter queue: the queue is in the path here.', 'queue');
    return c.json(await taskPage(source, query, maxPageSize, name));
  });

  for (const paused of [true, false]) {
    routes.post(`/:name/${paused ? 'pause' : 'resume'}`, async (c) => {
      const name = queueNameParam(c.req.param('name'));
      parseQuery(noQuery, c.req.queries());
      const actor = c.get('session').username;
      const changed = paused ? await source.pauseQueue(name, actor) : await source.resumeQueue(name, actor);
      if (changed) logger.info(`[@evertask/monitor] ${actor} ${paused ? 'paused' : 'resumed'} queue "${name}".`, { actor, queue: name });
      const entry = (await source.pausedQueues()).find((queue) => queue.queue === name);
      const answer: QueueStateResponse = {
        queueName: name,
        paused: entry !== undefined,
        pausedAt: entry?.pausedAt.toISOString() ?? null,
        pausedBy: entry?.pausedBy ?? null,
        changed,
      };
      return c.json(answer);
    });
  }

  return routes;
}
