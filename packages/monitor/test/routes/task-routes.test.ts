import { beforeAll, expect, it } from 'vitest';
import type { ApiErrorBody, CancelResponse, ExecutionLogsPage, StatusAuditItem, RunAuditItem, TaskCounts, TaskDetail, TasksPage } from '../../src/index.js';
import { describeEachBackend, failingTask, gatedTask, emailTask, newGate, quickTask } from '../support/monitor-fixture.js';
import { get, login, post, waitUntil, type Credentials } from '../support/http-client.js';

await describeEachBackend(import.meta.url, 'task routes', (fixture) => {
  let admin: Credentials;
  beforeAll(async () => {
    admin = await login(fixture().url);
  });

  /** Dispatches 3 quick, 1 failing and 1 email task and waits until all five finished. */
  async function seedFinished(): Promise<{ quick: string[]; failed: string; email: string }> {
    const { everTask } = fixture();
    const quick = [
      await everTask.dispatch(quickTask, { n: 1 }, { taskKey: 'quick-key-1' }),
      await everTask.dispatch(quickTask, { n: 2 }),
      await everTask.dispatch(quickTask, { n: 3 }),
    ];
    const failed = await everTask.dispatch(failingTask, { reason: 'no disk' });
    const email = await everTask.dispatch(emailTask, { to: 'a@b.c' });
    await waitUntil(async () => {
      const tasks = await Promise.all([...quick, failed, email].map((id) => everTask.getTask(id)));
      return tasks.every((task) => task?.status === 'completed' || task?.status === 'failed');
    }, 'the seeded tasks to finish');
    return { quick, failed, email };
  }

  const list = (query: string) => get<TasksPage>(fixture().url, `/api/tasks${query}`, admin);

  it('lists tasks with ISO times, newest first by default, with the paging numbers', async () => {
    const seeded = await seedFinished();
    const answer = await list('');
    expect(answer.status).toBe(200);
    expect(answer.body.totalCount).toBe(5);
    expect(answer.body).toMatchObject({ page: 1, pageSize: 20, totalPages: 1 });
    expect(answer.body.items[0]?.id).toBe(seeded.email);
    const failed = answer.body.items.find((item) => item.id === seeded.failed);
    expect(failed).toMatchObject({ name: 'failing', status: 'failed', queue: 'default', isRecurring: false });
    expect(failed?.errorSummary).toContain('boom: no disk');
    expect(failed?.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('filters by statuses, name, queue, recurring, created range and search', async () => {
    const seeded = await seedFinished();
    const ids = async (query: string) => (await list(query)).body.items.map((item) => item.id).sort();
    expect(await ids('?statuses=failed')).toEqual([seeded.failed]);
    expect((await ids('?statuses=failed&statuses=completed')).length).toBe(5);
    expect((await ids('?statuses=failed,completed')).length).toBe(5);
    expect(await ids('?name=QUI')).toEqual([...seeded.quick].sort());
    expect(await ids('?queue=emails')).toEqual([seeded.email]);
    expect(await ids('?recurring=true')).toEqual([]);
    expect((await ids('?recurring=false')).length).toBe(5);
    expect(await ids('?search=quick-key')).toEqual([seeded.quick[0]]);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(await ids(`?createdAfter=${future}`)).toEqual([]);
    expect((await ids(`?createdBefore=${future}`)).length).toBe(5);
    expect((await ids(`?createdAfter=${Date.now() - 3_600_000}`)).length).toBe(5);
  });

  it('sorts by a field in either direction and pages', async () => {
    await seedFinished();
    const ascending = await list('?sortBy=name&sortDescending=false');
    expect(ascending.body.items.map((item) => item.name)).toEqual(['email', 'failing', 'quick', 'quick', 'quick']);
    const descending = await list('?sortBy=name');
    expect(descending.body.items[0]?.name).toBe('quick');
    const second = await list('?sortBy=name&sortDescending=false&page=2&pageSize=2');
    expect(second.body).toMatchObject({ page: 2, pageSize: 2, totalPages: 3, totalCount: 5 });
    expect(second.body.items.map((item) => item.name)).toEqual(['quick', 'quick']);
  });

  it.each([
    ['?pageSize=0', 'pageSize'],
    ['?pageSize=100000', 'pageSize'],
    ['?page=abc', 'page'],
    ['?page=0', 'page'],
    ['?sortBy=password', 'sortBy'],
    ['?statuses=bogus', 'statuses'],
    ['?createdAfter=yesterday', 'createdAfter'],
    ['?createdBefore=2026-13-45T99:00:00Z', 'createdBefore'],
    ['?recurring=maybe', 'recurring'],
    ['?sortDescending=1', 'sortDescending'],
    ['?page=1&page=2', 'page'],
    ['?colour=blue', 'colour'],
    ['?createdAfter=2026-01-02T00:00:00Z&createdBefore=2026-01-01T00:00:00Z', 'createdBefore'],
  ])('answers 400 naming the field for %s', async (query, field) => {
    const answer = await get<ApiErrorBody>(fixture().url, `/api/tasks${query}`, admin);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('ERR_BAD_REQUEST');
    expect(answer.body.error.field).toBe(field);
    expect(answer.body.error.message).toContain(field);
  });

  it('echoes the bad query value in the message', async () => {
    const answer = await get<ApiErrorBody>(fixture().url, '/api/tasks?pageSize=0', admin);
    expect(answer.body.error.message).toBe('Query parameter pageSize: pageSize must be at least 1; received "0".');
  });

  it('shows a task with its payload, status history and log count; 404 for an unknown id, 400 for a malformed one', async () => {
    const seeded = await seedFinished();
    const id = seeded.quick[1] as string;
    const answer = await get<TaskDetail>(fixture().url, `/api/tasks/${id}`, admin);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id, name: 'quick', status: 'completed', payload: { n: 2 }, auditLevel: 'full', recurring: null });
    expect(answer.body.statusAudits.map((row) => row.status)).toContain('completed');
    expect(answer.body.executionLogCount).toBe(3);
    const missing = await get<ApiErrorBody>(fixture().url, '/api/tasks/01890000-0000-7000-8000-000000000000', admin);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('ERR_NOT_FOUND');
    for (const path of ['/api/tasks/abc', '/api/tasks/abc/status-audit', '/api/tasks/abc/runs-audit', '/api/tasks/abc/execution-logs']) {
      const bad = await get<ApiErrorBody>(fixture().url, path, admin);
      expect(bad.status, path).toBe(400);
      expect(bad.body.error.field).toBe('id');
    }
  });

  it('answers the status history and, for a recurring series, its runs', async () => {
    const { everTask } = fixture();
    const seeded = await seedFinished();
    const history = await get<StatusAuditItem[]>(fixture().url, `/api/tasks/${seeded.failed}/status-audit`, admin);
    expect(history.body.at(-1)).toMatchObject({ taskId: seeded.failed, status: 'failed' });
    expect(history.body.at(-1)?.error).toContain('boom: no disk');
    const series = await everTask.dispatch(quickTask, { n: 7 }, { recurring: (s) => s.runNow().then().everyDay().atTime('03:00'), taskKey: 'daily-quick' });
    await waitUntil(async () => (await everTask.getTask(series))?.recurring?.runCount === 1, 'the first run of the series');
    const runs = await get<RunAuditItem[]>(fixture().url, `/api/tasks/${series}/runs-audit`, admin);
    expect(runs.status).toBe(200);
    expect(runs.body).toHaveLength(1);
    expect(runs.body[0]).toMatchObject({ taskId: series, status: 'completed' });
    const detail = await get<TaskDetail>(fixture().url, `/api/tasks/${series}`, admin);
    expect(detail.body.isRecurring).toBe(true);
    expect(detail.body.recurring).toMatchObject({ runCount: 1, lastOutcome: 'completed' });
    expect(detail.body.recurring?.schedule).toContain('03:00');
    const recurringOnly = await list('?recurring=true');
    expect(recurringOnly.body.items.map((item) => item.id)).toEqual([series]);
    await everTask.cancel(series);
  });

  it('pages the execution logs and filters them by minimum level', async () => {
    const seeded = await seedFinished();
    const id = seeded.quick[0] as string;
    const url = fixture().url;
    const all = await get<ExecutionLogsPage>(url, `/api/tasks/${id}/execution-logs`, admin);
    expect(all.body).toMatchObject({ totalCount: 3, skip: 0, take: 100 });
    expect(all.body.logs.map((line) => line.level)).toEqual(['debug', 'information', 'warning']);
    expect(all.body.logs[1]?.message).toBe('working on 1');
    const page = await get<ExecutionLogsPage>(url, `/api/tasks/${id}/execution-logs?skip=1&take=1`, admin);
    expect(page.body.logs.map((line) => line.message)).toEqual(['working on 1']);
    expect(page.body.totalCount).toBe(3);
    const warnings = await get<ExecutionLogsPage>(url, `/api/tasks/${id}/execution-logs?level=information`, admin);
    expect(warnings.body.logs.map((line) => line.level)).toEqual(['information', 'warning']);
    expect(warnings.body.totalCount).toBe(2);
    for (const [query, field] of [['?take=0', 'take'], ['?take=1001', 'take'], ['?skip=-1', 'skip'], ['?level=loud', 'level']] as const) {
      const bad = await get<ApiErrorBody>(url, `/api/tasks/${id}/execution-logs${query}`, admin);
      expect(bad.status, query).toBe(400);
      expect(bad.body.error.field).toBe(field);
    }
  });

  it('counts all, standard, recurring and failed tasks', async () => {
    const { everTask } = fixture();
    await seedFinished();
    const series = await everTask.dispatch(quickTask, { n: 8 }, { recurring: (s) => s.everyDay().atTime('03:00'), taskKey: 'daily-count' });
    const counts = await get<TaskCounts>(fixture().url, '/api/tasks/counts', admin);
    expect(counts.body).toEqual({ all: 6, standard: 5, recurring: 1, failed: 1 });
    await everTask.cancel(series);
  });

  it('cancels a running task; a finished one answers 409 and an unknown one 404', async () => {
    const { everTask } = fixture();
    newGate();
    const id = await everTask.dispatch(gatedTask, { n: 1 });
    await waitUntil(async () => (await everTask.getTask(id))?.status === 'in-progress', 'the gated task to start');
    const answer = await post<CancelResponse>(fixture().url, `/api/tasks/${id}/cancel`, admin);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ id, cancelled: true, status: 'cancelled' });
    expect((await everTask.getTask(id))?.status).toBe('cancelled');
    const again = await post<ApiErrorBody>(fixture().url, `/api/tasks/${id}/cancel`, admin);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('cancelled');
    const unknown = await post<ApiErrorBody>(fixture().url, '/api/tasks/01890000-0000-7000-8000-000000000000/cancel', admin);
    expect(unknown.status).toBe(404);
  });
});
