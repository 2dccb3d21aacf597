import { expect, it } from 'vitest';
import type { ActivityItem, ApiErrorBody, Overview } from '../../src/index.js';
import { describeEachBackend } from '../support/monitor-fixture.js';
import { get } from '../support/http-client.js';
import { useSeededMonitor } from '../support/seed-tasks.js';

await describeEachBackend(import.meta.url, 'overview and recent-activity routes', (fixture) => {
  const seeded = useSeededMonitor(fixture);

  it('answers the overview of today: totals, success rate, sampled average, distribution, hourly buckets, queues', async () => {
    const answer = await get<Overview>(seeded.url, '/api/dashboard/overview', seeded.admin);
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
    const week = await get<Overview>(seeded.url, '/api/dashboard/overview?range=week', seeded.admin);
    expect(week.body).toMatchObject({ totalTasksInRange: 6, successRate: 66.67, failedCount: 2 });
    const all = await get<Overview>(seeded.url, '/api/dashboard/overview?range=all', seeded.admin);
    expect(all.body).toMatchObject({ totalTasksInRange: 8, successRate: 62.5, failedCount: 3 });
    const bad = await get<ApiErrorBody>(seeded.url, '/api/dashboard/overview?range=Today', seeded.admin);
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('range');
  });

  it('answers the recent activity, newest first, within the limit', async () => {
    const answer = await get<ActivityItem[]>(seeded.url, '/api/dashboard/recent-activity?limit=2', seeded.admin);
    expect(answer.body.map((item) => [item.name, item.status])).toEqual([['email', 'completed'], ['quick', 'failed']]);
    expect(answer.body[1]?.message).toBe('Failed: Error: seeded failure');
    for (const query of ['?limit=0', '?limit=501', '?limit=x']) expect((await get(seeded.url, `/api/dashboard/recent-activity${query}`, seeded.admin)).status).toBe(400);
  });

});
