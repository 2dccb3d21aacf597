import { beforeAll, expect, it } from 'vitest';
import { describeEachBackend, emailTask, quickTask } from './support/monitor-fixture.js';
import { call, login, waitUntil, type Credentials } from './support/http-client.js';
import { openEventStream } from './support/event-stream.js';

await describeEachBackend(import.meta.url, 'live events (SSE)', (fixture) => {
  let admin: Credentials;
  beforeAll(async () => {
    admin = await login(fixture().url);
  });
  const bearer = () => ({ authorization: `Bearer ${admin.token}` });

  it('streams a ready event, then the engine events of a task as they happen, with ISO times', async () => {
    const stream = await openEventStream(`${fixture().url}/api/events`, bearer());
    expect(stream.status).toBe(200);
    await stream.waitFor((event) => event.event === 'ready', 'the ready event');
    const id = await fixture().everTask.dispatch(quickTask, { n: 5 });
    const completed = await stream.waitFor((event) => event.event === 'task:completed' && event.data.taskId === id, 'the completion');
    expect(completed.data).toMatchObject({ type: 'task:completed', taskId: id, taskName: 'quick', queue: 'default', severity: 'information' });
    expect(completed.data.at).toMatch(/Z$/);
    expect((completed.data.details as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(0);
    const kinds = stream.events.filter((event) => event.data.taskId === id).map((event) => event.event);
    expect(kinds).toEqual(['task:dispatched', 'task:started', 'task:completed']);
    stream.close();
  });

  it('applies each connection\'s own filter', async () => {
    const filtered = await openEventStream(`${fixture().url}/api/events?types=task:completed&queue=emails`, bearer());
    const everything = await openEventStream(`${fixture().url}/api/events`, bearer());
    await filtered.waitFor((event) => event.event === 'ready', 'ready');
    await everything.waitFor((event) => event.event === 'ready', 'ready');
    const quick = await fixture().everTask.dispatch(quickTask, { n: 6 });
    const email = await fixture().everTask.dispatch(emailTask, { to: 'x@y.z' });
    await everything.waitFor((event) => event.event === 'task:completed' && event.data.taskId === quick, 'quick done');
    await everything.waitFor((event) => event.event === 'task:completed' && event.data.taskId === email, 'email done');
    await filtered.waitFor((event) => event.data.taskId === email, 'the email completion on the filtered stream');
    expect(filtered.events.filter((event) => event.event !== 'ready').map((event) => [event.event, event.data.taskId])).toEqual([['task:completed', email]]);
    filtered.close();
    everything.close();
  });

  it('sends heartbeats and unsubscribes a connection when the client goes away', async () => {
    const { monitor } = fixture().server;
    // the previous tests' connections are cleaned up once their clients went away
    await waitUntil(() => monitor.liveConnections === 0, 'earlier connections to be cleaned up');
    const before = 0;
    const stream = await openEventStream(`${fixture().url}/api/events`, { cookie: admin.cookie });
    await waitUntil(() => monitor.liveConnections === before + 1, 'the connection to be counted');
    await waitUntil(() => stream.comments >= 2, 'two heartbeats');
    stream.close();
    await waitUntil(() => monitor.liveConnections === before, 'the connection to be cleaned up');
  });

  it('answers 400 for a bad filter and 503 past maxSseConnections', async () => {
    const bad = await call<{ error: { field: string } }>(`${fixture().url}/api/events?types=task:exploded`, { headers: bearer() });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('types');
    const small = await fixture().serve({ maxSseConnections: 1 });
    const credentials = await login(small.url);
    const first = await openEventStream(`${small.url}/api/events`, { authorization: `Bearer ${credentials.token}` });
    await first.waitFor((event) => event.event === 'ready', 'ready');
    const second = await call(`${small.url}/api/events`, { headers: { authorization: `Bearer ${credentials.token}` } });
    expect(second.status).toBe(503);
    first.close();
    await waitUntil(() => small.monitor.liveConnections === 0, 'the first connection to close');
    const third = await openEventStream(`${small.url}/api/events`, { authorization: `Bearer ${credentials.token}` });
    expect(third.status).toBe(200);
    third.close();
  });
});
