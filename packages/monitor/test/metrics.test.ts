import { expect, it } from 'vitest';
import { newStoredTask, uuidv7 } from 'evertask';
import { describeEachBackend, failingTask, quickTask, VIEWER, ADMIN } from './support/monitor-fixture.js';
import { call, login, waitUntil } from './support/http-client.js';

const SAMPLE_LINE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (-?[0-9.e+]+|NaN|[+-]Inf)$/;

/** Checks the exposition format and returns the samples by their name-with-labels. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of text.trimEnd().split('\n')) {
    if (line.startsWith('# TYPE ')) {
      typed.add(line.split(' ')[2] as string);
      continue;
    }
    if (line.startsWith('# HELP ')) continue;
    expect(line, 'a sample line').toMatch(SAMPLE_LINE);
    const family = line.split(/[{ ]/, 1)[0]?.replace(/_(bucket|sum|count)$/, '') as string;
    expect(typed.has(family) || typed.has(line.split(/[{ ]/, 1)[0] as string), `# TYPE before ${line}`).toBe(true);
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

await describeEachBackend(import.meta.url, 'Prometheus metrics', (fixture) => {
  it('exposes task counts from the storage and counters and a histogram from the engine events', async () => {
    const server = await fixture().serve({});
    const { everTask } = fixture();
    const ids = [await everTask.dispatch(quickTask, { n: 1 }), await everTask.dispatch(quickTask, { n: 2 }), await everTask.dispatch(failingTask, { reason: 'x' })];
    await waitUntil(async () => (await Promise.all(ids.map((id) => everTask.getTask(id)))).every((task) => task?.status === 'completed' || task?.status === 'failed'), 'the tasks to finish');
    const waiting = await everTask.dispatch(quickTask, { n: 3 }, { delay: '1h' });
    const credentials = await login(server.url);
    const answer = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${credentials.token}` } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const samples = parseExposition(await answer.text());
    expect(samples.get('evertask_tasks{queue="default",status="completed"}')).toBe(2);
    expect(samples.get('evertask_tasks{queue="default",status="failed"}')).toBe(1);
    expect(samples.get('evertask_tasks{queue="default",status="waiting"}')).toBe(1);
    expect(samples.get('evertask_queue_depth{queue="default"}')).toBe(1);
    expect(samples.get('evertask_tasks_dispatched_total{queue="default",task="quick"}')).toBe(3);
    expect(samples.get('evertask_tasks_completed_total{queue="default",task="quick"}')).toBe(2);
    expect(samples.get('evertask_tasks_failed_total{queue="default",task="failing"}')).toBe(1);
    expect(samples.get('evertask_task_duration_seconds_count{queue="default",task="quick",outcome="completed"}')).toBe(2);
    expect(samples.get('evertask_task_duration_seconds_bucket{queue="default",task="quick",outcome="completed",le="+Inf"}')).toBe(2);
    expect(samples.get('evertask_task_duration_seconds_bucket{queue="default",task="quick",outcome="completed",le="300"}')).toBe(2);
    expect(samples.get('evertask_queue_running{queue="emails"}')).toBe(0);
    await everTask.cancel(waiting);
  });

  it('counts a lease takeover of a task whose instance died', async () => {
    const server = await fixture().serve({});
    const { everTask, storage } = fixture();
    const orphan = { ...newStoredTask({ id: uuidv7(), name: 'quick', payload: '{"n":9}', createdAt: Date.now() - 60_000 }), status: 'in-progress' as const, attempts: 1, leaseOwner: 'crashed-instance', leaseExpiresAt: Date.now() - 1000 };
    await storage.add([orphan]);
    await waitUntil(async () => (await everTask.getTask(orphan.id))?.status === 'completed', 'the orphan to be taken over and completed');
    const credentials = await login(server.url);
    const samples = parseExposition(await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${credentials.token}` } })).text());
    expect(samples.get('evertask_lease_takeovers_total{queue="default",previous_status="in-progress"}')).toBe(1);
  });

  it('takes HTTP Basic credentials for scrapers, refuses wrong ones, and can be made public', async () => {
    const basic = (user: { username: string; password: string }) => `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
    const url = `${fixture().url}/metrics`;
    expect((await call(url)).status).toBe(401);
    expect((await call(url, { headers: { authorization: basic(ADMIN) } })).status).toBe(200);
    expect((await call(url, { headers: { authorization: basic(VIEWER) } })).status).toBe(200);
    expect((await call(url, { headers: { authorization: basic({ ...ADMIN, password: 'wrong-password' }) } })).status).toBe(401);
    // Basic is for /metrics only
    expect((await call(`${fixture().url}/api/tasks`, { headers: { authorization: basic(ADMIN) } })).status).toBe(401);
    const open = await fixture().serve({ auth: { users: [{ ...ADMIN }], publicMetrics: true } });
    expect((await call(`${open.url}/metrics`)).status).toBe(200);
    expect((await call(`${open.url}/api/tasks`)).status).toBe(401);
  });
});
