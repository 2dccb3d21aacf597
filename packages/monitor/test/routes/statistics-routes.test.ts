import { expect, it } from 'vitest';
import { newStoredTask, uuidv7, type StoredTask } from 'evertask';
import type { ApiErrorBody, ExecutionTimeBucket, Overview, QueueMetrics, SuccessRateTrend, TaskTypeCount } from '../../src/index.js';
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

  it('averages every completed task, not a sample of the latest, and lists task names no engine here defines', async () => {
    // 250 `quick` runs of 100 ms finished first, then 250 `bulk-import` runs of 300 ms: a mean over
    // the latest 200 runs would read 300 ms; the true mean of the hour is about 200 ms
    const hour10 = Date.UTC(2026, 11, 3, 10, 20);
    const completed = (name: string, i: number, executionTimeMs: number, finishedAt: number): StoredTask => ({
      ...newStoredTask({ id: uuidv7(), name, payload: '{}', createdAt: hour10 + i }),
      status: 'completed',
      dueAt: null,
      updatedAt: finishedAt,
      lastExecutionAt: finishedAt,
      executionTimeMs,
    });
    await fixture().storage.add([
      ...Array.from({ length: 250 }, (_, i) => completed('quick', i, 100, hour10 + 1_000 + i)),
      ...Array.from({ length: 250 }, (_, i) => completed('bulk-import', 250 + i, 300, hour10 + 600_000 + i)),
    ]);
    const times = await get<ExecutionTimeBucket[]>(seeded.url, '/api/statistics/execution-times', seeded.admin);
    // with the two seeded runs of the hour (100 and 300 ms): 100,400 ms over 502 runs
    expect(times.body.find((bucket) => bucket.timestamp === '2026-12-03T10:00:00.000Z')).toEqual({ timestamp: '2026-12-03T10:00:00.000Z', avgExecutionTimeMs: 200, sampleSize: 502 });
    const overview = await get<Overview>(seeded.url, '/api/dashboard/overview', seeded.admin);
    // today: 100,450 ms over 503 completed runs
    expect(overview.body).toMatchObject({ totalTasksToday: 504, avgExecutionTimeMs: 199.7, avgSampleSize: 503 });
    const queues = await get<QueueMetrics[]>(seeded.url, '/api/queues', seeded.admin);
    // the default queue over all time: 100,460 ms over 504 completed runs
    expect(queues.body.find((queue) => queue.queueName === 'default')).toMatchObject({ completedTasks: 504, avgExecutionTimeMs: 199.33 });
    const types = await get<TaskTypeCount[]>(seeded.url, '/api/statistics/task-types?range=today', seeded.admin);
    expect(types.body).toEqual([{ name: 'quick', count: 253 }, { name: 'bulk-import', count: 250 }, { name: 'email', count: 1 }]);
  });
});
