import { beforeAll, expect, it } from 'vitest';
import type {
  ApiErrorBody,
  BulkActionResponse,
  DeleteResponse,
  QueueStateResponse,
  QueueView,
  StatusAuditItem,
  TaskActionResponse,
} from '../../src/index.js';
import { VIEWER, describeEachBackend, emailTask, failingTask, gatedTask, newGate, quickTask } from '../support/monitor-fixture.js';
import { call, del, get, login, post, waitUntil, type Credentials } from '../support/http-client.js';

const MISSING = '01890000-0000-7000-8000-000000000000';

await describeEachBackend(import.meta.url, 'action routes', (fixture) => {
  let admin: Credentials;
  let viewer: Credentials;
  beforeAll(async () => {
    admin = await login(fixture().url);
    viewer = await login(fixture().url, VIEWER);
  });

  const statusOf = async (id: string) => (await fixture().everTask.getTask(id))?.status;
  const reach = (id: string, status: string) => waitUntil(async () => (await statusOf(id)) === status, `task ${id} to be ${status}`);
  const history = async (id: string) => (await get<StatusAuditItem[]>(fixture().url, `/api/tasks/${id}/status-audit`, admin)).body;

  it('runs a delayed task now, recording the user; 409 for a finished one, 404 unknown, 400 malformed', async () => {
    const { everTask, url } = fixture();
    const id = await everTask.dispatch(quickTask, { n: 1 }, { delay: '1h' });
    const answer = await post<TaskActionResponse>(url, `/api/tasks/${id}/run-now`, admin);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id, action: 'run-now' });
    await reach(id, 'completed');
    expect((await history(id)).find((row) => row.actor === 'admin')).toMatchObject({ status: 'waiting' });
    const again = await post<ApiErrorBody>(url, `/api/tasks/${id}/run-now`, admin);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('is completed: only a waiting task');
    expect((await post<ApiErrorBody>(url, `/api/tasks/${MISSING}/run-now`, admin)).status).toBe(404);
    const bad = await post<ApiErrorBody>(url, '/api/tasks/not-an-id/run-now', admin);
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('id');
  });

  it('retries a failed task from attempt 0; its first error stays in the history; 409 for a task that did not fail', async () => {
    const { everTask, url } = fixture();
    const id = await everTask.dispatch(failingTask, { reason: 'disk full' });
    await reach(id, 'failed');
    const answer = await post<TaskActionResponse>(url, `/api/tasks/${id}/retry`, admin);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id, action: 'retry' });
    // the failing task fails again: two failed rows, the retry between them by admin
    await waitUntil(async () => (await history(id)).filter((row) => row.status === 'failed').length === 2, 'the second failure');
    const rows = await history(id);
    const retryRow = rows.findIndex((row) => row.actor === 'admin');
    expect(rows[retryRow]?.status).toBe('waiting');
    expect(rows.slice(0, retryRow).some((row) => row.status === 'failed' && row.error?.includes('disk full'))).toBe(true);
    const done = await everTask.dispatch(quickTask, { n: 2 });
    await reach(done, 'completed');
    const refused = await post<ApiErrorBody>(url, `/api/tasks/${done}/retry`, admin);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('ERR_CONFLICT');
  });

  it('deletes a finished task with its history; refuses a running one (409)', async () => {
    const { everTask, url } = fixture();
    const id = await everTask.dispatch(quickTask, { n: 3 });
    await reach(id, 'completed');
    const answer = await del<DeleteResponse>(url, `/api/tasks/${id}`, admin);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ id, deleted: true });
    expect((await get<ApiErrorBody>(url, `/api/tasks/${id}`, admin)).status).toBe(404);
    expect(await fixture().storage.getStatusAudit(id)).toEqual([]);
    newGate();
    const running = await everTask.dispatch(gatedTask, { n: 1 });
    await reach(running, 'in-progress');
    const refused = await del<ApiErrorBody>(url, `/api/tasks/${running}`, admin);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('in-progress');
    expect((await del<ApiErrorBody>(url, `/api/tasks/${MISSING}`, admin)).status).toBe(404);
    expect((await del<ApiErrorBody>(url, '/api/tasks/xyz', admin)).status).toBe(400);
    newGate();
  });

  it('cancels with the user recorded in the history', async () => {
    const { everTask, url } = fixture();
    const id = await everTask.dispatch(quickTask, { n: 4 }, { delay: '1h' });
    expect((await post(url, `/api/tasks/${id}/cancel`, admin)).status).toBe(200);
    expect((await history(id)).at(-1)).toMatchObject({ status: 'cancelled', actor: 'admin' });
  });

  it('pauses a queue: a task dispatched to it stays waiting while others run; resume runs it', async () => {
    const { everTask, url } = fixture();
    const paused = await post<QueueStateResponse>(url, '/api/queues/emails/pause', admin);
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ queueName: 'emails', paused: true, pausedBy: 'admin', changed: true });
    expect(Date.parse(paused.body.pausedAt as string)).not.toBeNaN();
    expect((await post<QueueStateResponse>(url, '/api/queues/emails/pause', admin)).body).toMatchObject({ paused: true, changed: false });
    const held = await everTask.dispatch(emailTask, { to: 'held@example.com' });
    const other = await everTask.dispatch(quickTask, { n: 5 });
    await reach(other, 'completed');
    expect(await statusOf(held)).toBe('waiting');
    const queues = await get<QueueView[]>(url, '/api/queues', admin);
    expect(queues.body.find((queue) => queue.queueName === 'emails')).toMatchObject({ paused: true, pausedBy: 'admin', pendingTasks: 1 });
    expect(queues.body.find((queue) => queue.queueName === 'default')).toMatchObject({ paused: false, pausedAt: null, pausedBy: null });
    const resumed = await post<QueueStateResponse>(url, '/api/queues/emails/resume', admin);
    expect(resumed.body).toEqual({ queueName: 'emails', paused: false, pausedAt: null, pausedBy: null, changed: true });
    await reach(held, 'completed');
    expect((await post<QueueStateResponse>(url, '/api/queues/emails/resume', admin)).body.changed).toBe(false);
  });

  it('lists a paused queue that has no task and no configuration here; 400 for a bad queue name', async () => {
    const { url } = fixture();
    expect((await post(url, '/api/queues/nightly/pause', admin)).status).toBe(200);
    const queues = await get<QueueView[]>(url, '/api/queues', admin);
    expect(queues.body.find((queue) => queue.queueName === 'nightly')).toMatchObject({ configured: false, paused: true, totalTasks: 0 });
    const bad = await post<ApiErrorBody>(url, `/api/queues/${encodeURIComponent('bad name!')}/pause`, admin);
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('name');
    expect((await post<ApiErrorBody>(url, '/api/queues/nightly/resume?now=1', admin)).status).toBe(400);
    expect((await post(url, '/api/queues/nightly/resume', admin)).status).toBe(200);
  });

  it('retries every failed task matching a filter, and cancels every active one of a queue', async () => {
    const { everTask, url } = fixture();
    const failed = [await everTask.dispatch(failingTask, { reason: 'a' }), await everTask.dispatch(failingTask, { reason: 'b' })];
    const completed = await everTask.dispatch(quickTask, { n: 6 });
    for (const id of failed) await reach(id, 'failed');
    await reach(completed, 'completed');
    const retried = await post<BulkActionResponse>(url, '/api/tasks/bulk', admin, { action: 'retry', filter: { name: 'fail' } });
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual({ action: 'retry', matched: 2, applied: 2, skipped: 0, limit: 10_000, truncated: false });
    for (const id of failed) await waitUntil(async () => (await history(id)).some((row) => row.actor === 'admin'), 'the retry row');
    const mixed = await post<BulkActionResponse>(url, '/api/tasks/bulk', admin, { action: 'retry', filter: { statuses: ['completed'] } });
    expect(mixed.body).toMatchObject({ matched: 1, applied: 0, skipped: 1 });
    const later = [await everTask.dispatch(emailTask, { to: 'x' }, { delay: '1h' }), await everTask.dispatch(emailTask, { to: 'y' }, { delay: '1h' })];
    const cancelled = await post<BulkActionResponse>(url, '/api/tasks/bulk', admin, { action: 'cancel', filter: { queue: 'emails', createdAfter: Date.now() - 60_000 } });
    expect(cancelled.body).toMatchObject({ action: 'cancel', matched: 2, applied: 2, skipped: 0 });
    for (const id of later) expect(await statusOf(id)).toBe('cancelled');
  });

  it.each([
    [{ action: 'delete', filter: {} }, 'action'],
    [{ action: 'retry' }, 'filter'],
    [{ action: 'retry', filter: { colour: 'blue' } }, 'filter'],
    [{ action: 'retry', filter: { statuses: ['bogus'] } }, 'filter'],
    [{ action: 'cancel', filter: { createdAfter: 'yesterday' } }, 'filter'],
    [{ action: 'cancel', filter: { recurring: 'yes' } }, 'filter'],
    [{ action: 'cancel', filter: {}, extra: 1 }, 'extra'],
    [{ action: 'cancel', filter: { createdAfter: '2026-01-02T00:00:00Z', createdBefore: '2026-01-01T00:00:00Z' } }, 'createdBefore'],
  ])('answers 400 for the bulk body %j', async (body, field) => {
    const answer = await post<ApiErrorBody>(fixture().url, '/api/tasks/bulk', admin, body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('ERR_BAD_REQUEST');
    expect(answer.body.error.field).toBe(field);
  });

  it('answers 400 for a bulk body that is not JSON', async () => {
    const answer = await call<ApiErrorBody>(`${fixture().url}/api/tasks/bulk`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}` }, body: '{action' });
    expect(answer.status).toBe(400);
  });

  it('refuses every action to the read-only role (403) and to a cookie without the CSRF header', async () => {
    const { everTask, url } = fixture();
    const waiting = await everTask.dispatch(quickTask, { n: 7 }, { delay: '1h' });
    const requests: [string, string, unknown?][] = [
      ['POST', `/api/tasks/${waiting}/run-now`],
      ['POST', `/api/tasks/${waiting}/retry`],
      ['DELETE', `/api/tasks/${waiting}`],
      ['POST', '/api/queues/emails/pause'],
      ['POST', '/api/queues/emails/resume'],
      ['POST', '/api/tasks/bulk', { action: 'cancel', filter: {} }],
    ];
    for (const [method, path, body] of requests) {
      const init = { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
      const asViewer = await call<ApiErrorBody>(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${viewer.token}` } });
      expect(asViewer.status, `${method} ${path} as viewer`).toBe(403);
      expect(asViewer.body.error.code).toBe('ERR_FORBIDDEN');
      const noCsrf = await call<ApiErrorBody>(`${url}${path}`, { ...init, headers: { cookie: admin.cookie } });
      expect(noCsrf.status, `${method} ${path} without CSRF`).toBe(403);
      expect(noCsrf.body.error.code).toBe('ERR_CSRF');
    }
    expect(await statusOf(waiting)).toBe('waiting');
    expect(await everTask.pausedQueues()).toEqual([]);
    const withCsrf = await call<TaskActionResponse>(`${url}/api/tasks/${waiting}/run-now`, {
      method: 'POST',
      headers: { cookie: admin.cookie, 'x-evertask-csrf': admin.csrfToken },
    });
    expect(withCsrf.status).toBe(200);
  });
});
