import { beforeAll, expect, it } from 'vitest';
import type { EngineConfigResponse, InstanceItem, MonitorConfigResponse, RateLimitsResponse } from '../../src/index.js';
import { describeEachBackend, limitedTask } from '../support/monitor-fixture.js';
import { call, get, login, waitUntil, type Credentials } from '../support/http-client.js';

await describeEachBackend(import.meta.url, 'config, engine, instances and rate-limit routes', (fixture) => {
  let admin: Credentials;
  beforeAll(async () => {
    admin = await login(fixture().url);
  });

  it('answers the public monitor config', async () => {
    const answer = await call<MonitorConfigResponse>(`${fixture().url}/api/config`);
    expect(answer.body).toEqual({
      apiBasePath: '/api', eventsPath: '/api/events', metricsPath: '/metrics', requireAuthentication: true,
      csrfHeader: 'X-EverTask-CSRF', actions: ['cancel', 'run-now', 'retry', 'delete', 'pause-queue', 'resume-queue', 'bulk-retry', 'bulk-cancel'], sseHeartbeatMs: 100,
    });
  });

  it('lists the instances sharing the storage', async () => {
    const answer = await get<InstanceItem[]>(fixture().url, '/api/instances', admin);
    expect(answer.status).toBe(200);
    expect(answer.body).toHaveLength(1);
    expect(answer.body[0]).toMatchObject({ id: fixture().everTask.instanceId, alive: true, self: true, pid: process.pid });
    expect(answer.body[0]?.queues).toEqual(['default', 'recurring', 'emails']);
    expect(answer.body[0]?.lastHeartbeatAt).toMatch(/Z$/);
  });

  it('answers the engine configuration and the storage abilities', async () => {
    const answer = await get<EngineConfigResponse>(fixture().url, '/api/engine', admin);
    expect(answer.body.queues.find((queue) => queue.name === 'emails')).toEqual({ name: 'emails', concurrency: 2, capacity: 50, whenFull: 'throw', timeoutMs: 30_000 });
    expect(answer.body.tasks.find((task) => task.name === 'limited')?.rateLimitPerSecond).toBeCloseTo(1 / 3600);
    expect(answer.body.storage).toEqual({ persistent: true, multiProcess: true, notifications: fixture().backend === 'postgres' });
    expect(answer.body.logs).toMatchObject({ enabled: true, minLevel: 'debug' });
  });

  it('answers the tasks held back by a rate limit, by key, until they leave', async () => {
    const { everTask } = fixture();
    const customer = `customer-${Date.now()}`;
    const first = await everTask.dispatch(limitedTask, { customer });
    await waitUntil(async () => (await everTask.getTask(first))?.status === 'completed', 'the first task to run');
    const second = await everTask.dispatch(limitedTask, { customer });
    await waitUntil(async () => (await get<RateLimitsResponse>(fixture().url, '/api/rate-limits', admin)).body.throttledTasks === 1, 'the second task to be parked');
    const answer = await get<RateLimitsResponse>(fixture().url, '/api/rate-limits', admin);
    expect(answer.body.enabled).toBe(true);
    expect(answer.body.definitions).toEqual([{ name: 'limited', queue: 'default', permitsPerSecond: 1 / 3600 }]);
    expect(answer.body.keys).toHaveLength(1);
    expect(answer.body.keys[0]).toMatchObject({ taskName: 'limited', queue: 'default', key: customer, parkedCount: 1 });
    expect(Date.parse(answer.body.keys[0]?.nextSlotAt as string)).toBeGreaterThan(Date.now() + 3_000_000);
    // the budgets themselves, from the storage's shared limiter
    expect(answer.body).toMatchObject({ shared: fixture().backend === 'postgres', parkedTasks: 1, failOpenCount: 0 });
    const budget = answer.body.budgets.find((b) => b.key === customer);
    expect(budget).toMatchObject({ taskName: 'limited', reserved: 1 });
    expect(Date.parse(budget?.nextSlotAt as string)).toBeGreaterThan(Date.now() + 3_000_000);
    await everTask.cancel(second);
    const after = await get<RateLimitsResponse>(fixture().url, '/api/rate-limits', admin);
    expect(after.body).toMatchObject({ throttledTasks: 0, keys: [], parkedTasks: 0 });
  });

  it('answers 404 as JSON for an unknown route', async () => {
    const answer = await get<{ error: { code: string } }>(fixture().url, '/api/nothing-here', admin);
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('ERR_NOT_FOUND');
  });
});
