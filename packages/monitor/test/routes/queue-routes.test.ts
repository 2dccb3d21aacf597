import { expect, it } from 'vitest';
import type { ApiErrorBody, QueueMetrics, TasksPage } from '../../src/index.js';
import { describeEachBackend } from '../support/monitor-fixture.js';
import { get } from '../support/http-client.js';
import { useSeededMonitor } from '../support/seed-tasks.js';

await describeEachBackend(import.meta.url, 'queue routes', (fixture) => {
  const seeded = useSeededMonitor(fixture);

  it('answers every queue with its configuration and counts, and a queue\'s tasks', async () => {
    const answer = await get<QueueMetrics[]>(seeded.url, '/api/queues', seeded.admin);
    expect(answer.body.map((queue) => queue.queueName)).toEqual(['default', 'emails', 'recurring']);
    expect(answer.body.find((queue) => queue.queueName === 'emails')).toMatchObject({
      configured: true, concurrency: 2, capacity: 50, whenFull: 'throw', timeoutMs: 30_000,
      totalTasks: 1, completedTasks: 1, failedTasks: 0, successRate: 100, avgExecutionTimeMs: 50,
    });
    expect(answer.body.find((queue) => queue.queueName === 'default')).toMatchObject({ totalTasks: 7, completedTasks: 4, failedTasks: 3, successRate: 57.14 });
    expect(answer.body.find((queue) => queue.queueName === 'recurring')).toMatchObject({ totalTasks: 0, successRate: null, avgExecutionTimeMs: null });
    expect((await get<QueueMetrics[]>(seeded.url, '/api/queues/configurations', seeded.admin)).body).toEqual(answer.body);
    const tasks = await get<TasksPage>(seeded.url, '/api/queues/emails/tasks', seeded.admin);
    expect(tasks.body.items.map((item) => item.name)).toEqual(['email']);
    const failedDefault = await get<TasksPage>(seeded.url, '/api/queues/default/tasks?statuses=failed', seeded.admin);
    expect(failedDefault.body.totalCount).toBe(3);
    expect((await get<ApiErrorBody>(seeded.url, '/api/queues/emails/tasks?queue=default', seeded.admin)).status).toBe(400);
    expect((await get<ApiErrorBody>(seeded.url, `/api/queues/${encodeURIComponent('bad name!')}/tasks`, seeded.admin)).body.error.field).toBe('name');
    expect((await get(seeded.url, '/api/queues?x=1', seeded.admin)).status).toBe(400);
  });

});
