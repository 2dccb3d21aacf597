import { Hono } from 'hono';
import type { EngineConfigResponse, RateLimitsResponse } from '../api-types.js';
import type { MonitorEnv } from '../monitor-env.js';
import type { MonitorSource } from '../data/monitor-source.js';
import type { RateLimitTracker } from '../data/rate-limit-tracker.js';
import { toInstanceItem } from '../data/task-dto.js';
import { noQuery, parseQuery } from '../validation.js';

/** `/instances`, `/rate-limits` and `/engine` (the engine's configuration). */
export function systemRoutes(source: MonitorSource, rateLimits: RateLimitTracker): Hono<MonitorEnv> {
  const routes = new Hono<MonitorEnv>();

  routes.get('/instances', async (c) => {
    parseQuery(noQuery, c.req.queries());
    return c.json((await source.instances()).map(toInstanceItem));
  });

  routes.get('/rate-limits', async (c) => {
    parseQuery(noQuery, c.req.queries());
    const definitions = source
      .configuration()
      .tasks.filter((task) => task.rateLimitPerSecond !== null)
      .map((task) => ({ name: task.name, queue: task.queue, permitsPerSecond: task.rateLimitPerSecond as number }));
    const keys = rateLimits.keys();
    const status = await source.rateLimitStatus();
    const answer: RateLimitsResponse = {
      enabled: definitions.length > 0,
      throttledTasks: rateLimits.size,
      trackedKeys: status.trackedKeys,
      definitions,
      keys: keys.map((key) => ({ ...key, nextSlotAt: new Date(key.nextSlotAt).toISOString() })),
      shared: status.shared,
      parkedTasks: status.parked,
      failOpenCount: status.failOpenCount,
      budgets: status.keys.map((b) => ({ taskName: b.policyKey, key: b.key, nextSlotAt: new Date(b.nextSlotAt).toISOString(), reserved: b.reserved })),
    };
    return c.json(answer);
  });

  routes.get('/engine', (c) => {
    parseQuery(noQuery, c.req.queries());
    const { persistent, multiProcess, notifications } = source.capabilities;
    const answer: EngineConfigResponse = { ...source.configuration(), storage: { persistent, multiProcess, notifications } };
    return c.json(answer);
  });

  return routes;
}
