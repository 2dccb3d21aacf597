import { beforeAll, beforeEach, expect, it } from 'vitest';
import { ManualClock } from 'evertask/testing';
import type { ActivityItem, ApiErrorBody, ExecutionTimeBucket, Overview, QueueMetrics, SuccessRateTrend, TaskTypeCount, TasksPage } from '../../src/index.js';
import { describeEachBackend } from '../support/monitor-fixture.js';
import { get, login, type Credentials } from '../support/http-client.js';
import { NOW, seedStatistics } from '../support/seed-tasks.js';

await describeEachBackend(import.meta.url, 'overview, queue and statistics routes', (fixture) => {
  let url: string;
  let admin: Credentials;
  beforeAll(async () => {
    const server = await fixture().serve({ clock: new ManualClock(NOW) });
    url = server.url;
    admin = await login(url);
  });
  beforeEach(async () => {
    await seedStatistics(fixture().storage);
  });

  it('answers the overview of today: totals, success rate, sampled average, distribution, hourly buckets, queues', async () => {
    const answer = await get<Overview>(url, '/api/dashboard/overview', admin);
    expect(answer.status).toBe(200);
    const overview = answer.body;
    expect(overview).toMatchObject({ range: 'today', totalTasksToday: 4, totalTasksWeek: 6, totalTasksInRange: 4, successRate: 75, failedCount: 1 });
    expect(overview.avgExecutionTimeMs).toBe(150);
    expect(overview.avgSampleSize).toBe(3);
    expect(overview.statusDistribution).toMatchObject({ completed: 5, failed: 3, waiting: 0, 'in-progress': 0 });
    expect(overview.tasksOverTime).toHaveLength(24);
    expect(overview.tasksOverTime.at(-1)?.timestamp).toBe('2026-12-03T12:00:00.000Z');
    expect(overview.tasksOverTime.find((bucket) => bucket.timestamp === '2026-12-03T10:00:00.000Z')).toEqual({
      timestamp: '2026-12-03T10:00:00.000Z', completed: 2, failed: 1, total: 3,
    });
    expect(overview.tasksOverTime.reduce((sum, bucket) => sum + bucket.total, 0)).toBe(4);
    expect(overview.queueSummaries).toEqual([
      { queueName: 'default', pendingCount: 0, inProgressCount: 0, completedCount: 4, failedCount: 3, cancelledCount: 0, throttledCount: 0 },
      { queueName: 'emails', pendingCount: 0, inProgressCount: 0, completedCount: 1, failedCount: 0, cancelledCount: 0, throttledCount: 0 },
    ]);
    expect(overview.recentActivity[0]).toMatchObject({ name: 'email', status: 'completed', message: 'Completed in 50 ms.' });
  });

  it('answers the overview of the week and of all time; a bad range answers 400', async () => {
    const week = await get<Overview>(url, '/api/dashboard/overview?range=week', admin);
    expect(week.body).toMatchObject({ totalTasksInRange: 6, successRate: 66.67, failedCount: 2 });
    const all = await get<Overview>(url, '/api/dashboard/overview?range=all', admin);
    expect(all.body).toMatchObject({ totalTasksInRange: 8, successRate: 62.5, failedCount: 3 });
    const bad = await get<ApiErrorBody>(url, '/api/dashboard/overview?range=Today', admin);
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('range');
  });

  it('answers the recent activity, newest first, within the limit', async () => {
    const answer = await get<ActivityItem[]>(url, '/api/dashboard/recent-activity?limit=2', admin);
    expect(answer.body.map((item) => [item.name, item.status])).toEqual([['email', 'completed'], ['quick', 'failed']]);
    expect(answer.body[1]?.message).toBe('Failed: Error: seeded failure');
    for (const query of ['?limit=0', '?limit=501', '?limit=x']) expect((await get(url, `/api/dashboard/recent-activity${query}`, admin)).status).toBe(400);
  });

  it('answers the success-rate trend by day for 7, 30 and 90 days', async () => {
    const week = await get<SuccessRateTrend>(url, '/api/statistics/success-rate-trend', admin);
    expect(week.body.period).toBe('last7days');
    expect(week.body.timestamps).toHaveLength(7);
    expect(week.body.timestamps.at(-1)).toBe('2026-12-03T00:00:00.000Z');
    expect(week.body.successRates.at(-1)).toBe(75);
    expect(week.body.successRates.at(-4)).toBe(50);
    expect(week.body.successRates.filter((rate) => rate !== null)).toHaveLength(2);
    const month = await get<SuccessRateTrend>(url, '/api/statistics/success-rate-trend?period=last30days', admin);
    expect(month.body.successRates).toHaveLength(30);
    expect(month.body.successRates.at(-21)).toBe(100);
    const quarter = await get<SuccessRateTrend>(url, '/api/statistics/success-rate-trend?period=last90days', admin);
    expect(quarter.body.successRates.at(-61)).toBe(0);
    expect((await get<ApiErrorBody>(url, '/api/statistics/success-rate-trend?period=Last7Days', admin)).status).toBe(400);
  });

  it('answers the tasks created in the range by task type', async () => {
    const week = await get<TaskTypeCount[]>(url, '/api/statistics/task-types', admin);
    expect(week.body).toEqual([{ name: 'quick', count: 4 }, { name: 'email', count: 1 }, { name: 'failing', count: 1 }]);
    const today = await get<TaskTypeCount[]>(url, '/api/statistics/task-types?range=today', admin);
    expect(today.body).toEqual([{ name: 'quick', count: 3 }, { name: 'email', count: 1 }]);
  });

  it('answers the execution times by hour for today and by day for the week', async () => {
    const today = await get<ExecutionTimeBucket[]>(url, '/api/statistics/execution-times', admin);
    expect(today.body).toHaveLength(24);
    expect(today.body.find((bucket) => bucket.timestamp === '2026-12-03T10:00:00.000Z')).toEqual({ timestamp: '2026-12-03T10:00:00.000Z', avgExecutionTimeMs: 200, sampleSize: 2 });
    expect(today.body.find((bucket) => bucket.timestamp === '2026-12-03T11:00:00.000Z')?.avgExecutionTimeMs).toBe(50);
    expect(today.body.find((bucket) => bucket.timestamp === '2026-12-03T09:00:00.000Z')).toMatchObject({ avgExecutionTimeMs: null, sampleSize: 0 });
    const week = await get<ExecutionTimeBucket[]>(url, '/api/statistics/execution-times?range=week', admin);
    expect(week.body).toHaveLength(7);
    expect(week.body.at(-1)).toMatchObject({ timestamp: '2026-12-03T00:00:00.000Z', sampleSize: 3 });
    expect((await get(url, '/api/statistics/execution-times?range=year', admin)).status).toBe(400);
  });

  it('answers every queue with its configuration and counts, and a queue\'s tasks', async () => {
    const answer = await get<QueueMetrics[]>(url, '/api/queues', admin);
    expect(answer.body.map((queue) => queue.queueName)).toEqual(['default', 'emails', 'recurring']);
    expect(answer.body.find((queue) => queue.queueName === 'emails')).toMatchObject({
      configured: true, concurrency: 2, capacity: 50, whenFull: 'throw', timeoutMs: 30_000,
      totalTasks: 1, completedTasks: 1, failedTasks: 0, successRate: 100, avgExecutionTimeMs: 50,
    });
    expect(answer.body.find((queue) => queue.queueName === 'default')).toMatchObject({ totalTasks: 7, completedTasks: 4, failedTasks: 3, successRate: 57.14 });
    expect(answer.body.find((queue) => queue.queueName === 'recurring')).toMatchObject({ totalTasks: 0, successRate: null, avgExecutionTimeMs: null });
    expect((await get<QueueMetrics[]>(url, '/api/queues/configurations', admin)).body).toEqual(answer.body);
    const tasks = await get<TasksPage>(url, '/api/queues/emails/tasks', admin);
    expect(tasks.body.items.map((item) => item.name)).toEqual(['email']);
    const failedDefault = await get<TasksPage>(url, '/api/queues/default/tasks?statuses=failed', admin);
    expect(failedDefault.body.totalCount).toBe(3);
    expect((await get<ApiErrorBody>(url, '/api/queues/emails/tasks?queue=default', admin)).status).toBe(400);
    expect((await get<ApiErrorBody>(url, `/api/queues/${encodeURIComponent('bad name!')}/tasks`, admin)).body.error.field).toBe('name');
    expect((await get(url, '/api/queues?x=1', admin)).status).toBe(400);
  });
});
