import { expect, it } from 'vitest';
import type { ApiErrorBody, ExecutionTimeBucket, SuccessRateTrend, TaskTypeCount } from '../../src/index.js';
import { describeEachBackend } from '../support/monitor-fixture.js';
import { get } from '../support/http-client.js';
import { useSeededMonitor } from '../support/seed-tasks.js';

await describeEachBackend(import.meta.url, 'statistics routes', (fixture) => {
  const seeded = useSeededMonitor(fixture);

  it('answers the success-rate trend by day for 7, 30 and 90 days', async () => {
    const week = await get<SuccessRateTrend>(seeded.url, '/api/statistics/success-rate-trend', seeded.admin);
    expect(week.body.period).toBe('last7days');
    expect(week.body.timestamps).toHaveLength(7);
    expect(week.body.timestamps.at(-1)).toBe('2026-12-03T00:00:00.000Z');
    expect(week.body.successRates.at(-1)).toBe(75);
    expect(week.body.successRates.at(-4)).toBe(50);
    expect(week.body.successRates.filter((rate) => rate !== null)).toHaveLength(2);
    const month = await get<SuccessRateTrend>(seeded.url, '/api/statistics/success-rate-trend?period=last30days', seeded.admin);
    expect(month.body.successRates).toHaveLength(30);
    expect(month.body.successRates.at(-21)).toBe(100);
    const quarter = await get<SuccessRateTrend>(seeded.url, '/api/statistics/success-rate-trend?period=last90days', seeded.admin);
    expect(quarter.body.successRates.at(-61)).toBe(0);
    expect((await get<ApiErrorBody>(seeded.url, '/api/statistics/success-rate-trend?period=Last7Days', seeded.admin)).status).toBe(400);
  });

  it('answers the tasks created in the range by task type', async () => {
    const week = await get<TaskTypeCount[]>(seeded.url, '/api/statistics/task-types', seeded.admin);
    expect(week.body).toEqual([{ name: 'quick', count: 4 }, { name: 'email', count: 1 }, { name: 'failing', count: 1 }]);
    const today = await get<TaskTypeCount[]>(seeded.url, '/api/statistics/task-types?range=today', seeded.admin);
    expect(today.body).toEqual([{ name: 'quick', count: 3 }, { name: 'email', count: 1 }]);
  });

  it('answers the execution times by hour for today and by day for the week', async () => {
    const today = await get<ExecutionTimeBucket[]>(seeded.url, '/api/statistics/execution-times', seeded.admin);
    expect(today.body).toHaveLength(24);
    expect(today.body.find((bucket) => bucket.timestamp === '2026-12-03T10:00:00.000Z')).toEqual({ timestamp: '2026-12-03T10:00:00.000Z', avgExecutionTimeMs: 200, sampleSize: 2 });
    expect(today.body.find((bucket) => bucket.timestamp === '2026-12-03T11:00:00.000Z')?.avgExecutionTimeMs).toBe(50);
    expect(today.body.find((bucket) => bucket.timestamp === '2026-12-03T09:00:00.000Z')).toMatchObject({ avgExecutionTimeMs: null, sampleSize: 0 });
    const week = await get<ExecutionTimeBucket[]>(seeded.url, '/api/statistics/execution-times?range=week', seeded.admin);
    expect(week.body).toHaveLength(7);
    expect(week.body.at(-1)).toMatchObject({ timestamp: '2026-12-03T00:00:00.000Z', sampleSize: 3 });
    expect((await get(seeded.url, '/api/statistics/execution-times?range=year', seeded.admin)).status).toBe(400);
  });

});
