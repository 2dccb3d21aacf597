import { Hono } from 'hono';
import type { SuccessRateTrend } from '../api-types.js';
import type { MonitorEnv } from '../monitor-env.js';
import type { MonitorSource } from '../data/monitor-source.js';
import { parseQuery, rangeQuery, trendQuery } from '../validation.js';

const DAYS_OF_PERIOD = { last7days: 7, last30days: 30, last90days: 90 } as const;

/** `/statistics/success-rate-trend`, `/statistics/task-types`, `/statistics/execution-times`. */
export function statisticsRoutes(source: MonitorSource): Hono<MonitorEnv> {
  const routes = new Hono<MonitorEnv>();

  routes.get('/success-rate-trend', async (c) => {
    const { period } = parseQuery(trendQuery, c.req.queries());
    const answer: SuccessRateTrend = { period, ...(await source.successRateTrend(DAYS_OF_PERIOD[period])) };
    return c.json(answer);
  });

  routes.get('/task-types', async (c) => {
    const { range } = parseQuery(rangeQuery('week'), c.req.queries());
    return c.json(await source.taskTypes(range));
  });

  routes.get('/execution-times', async (c) => {
    const { range } = parseQuery(rangeQuery('today'), c.req.queries());
    return c.json(await source.executionTimes(range));
  });

  return routes;
}
