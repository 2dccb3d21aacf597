import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EverTask, defineTask, noRetry, silentLogger } from 'evertask';
import { PostgresStorage } from '@evertask/postgres';
import { notificationChannel } from '../../postgres/src/notifications.js';
import { PG_URL, describeWithPostgres, dropSchemas, testSchema } from '../../postgres/test/pg-test-helpers.js';
import { startMonitorServer, type MonitorServer } from '../src/index.js';
import { USERS, quickTask } from './support/monitor-fixture.js';
import { login, waitUntil } from './support/http-client.js';
import { openEventStream, type EventStreamReader } from './support/event-stream.js';

const remoteWork = defineTask({ name: 'remote-work', handler: async (_payload: { n: number }) => undefined });
const remoteFailing = defineTask({
  name: 'remote-failing',
  retry: noRetry(),
  handler: async (payload: { size: number }) => {
    throw new Error(`x`.repeat(payload.size));
  },
});

const describePostgres = await describeWithPostgres();
const schema = testSchema(import.meta.url);

describePostgres('live events of other processes (PostgreSQL event feed)', () => {
  let engineA: EverTask;
  let engineB: EverTask;
  let server: MonitorServer;
  let bearer: Record<string, string>;
  beforeAll(async () => {
    await dropSchemas(schema);
    // A runs only `quick`, B only the remote tasks: each task below is dispatched and run by B
    engineA = new EverTask({ storage: new PostgresStorage({ connectionString: PG_URL, schema }), tasks: [quickTask], logger: silentLogger, sweepInterval: '200ms' });
    engineB = new EverTask({ storage: new PostgresStorage({ connectionString: PG_URL, schema }), tasks: [remoteWork, remoteFailing], logger: silentLogger, sweepInterval: '200ms' });
    await engineA.start();
    await engineB.start();
    server = await startMonitorServer({ everTask: engineA, auth: { users: USERS }, port: 0, sseHeartbeat: '200ms', logger: silentLogger });
    bearer = { authorization: `Bearer ${(await login(server.url)).token}` };
  });
  afterAll(async () => {
    await server?.close();
    await engineB?.stop({ timeout: 2000, closeStorage: true });
    await engineA?.stop({ timeout: 2000, closeStorage: true });
    await dropSchemas(schema);
  });

  /** Dispatches on B until one of its tasks shows in `stream` (B publishes once it heard that A watches). */
  async function firstSeen(stream: EventStreamReader): Promise<void> {
    await waitUntil(async () => {
      const id = await engineB.dispatch(remoteWork, { n: 0 });
      await waitUntil(async () => (await engineB.getTask(id))?.status === 'completed', 'the probe task to complete');
      return stream.events.some((event) => event.data.taskId === id);
    }, 'a task of engine B in the stream of engine A');
  }

  it('asks the other engines to publish only while a live stream is open (not for the metrics)', async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      const channel = notificationChannel(schema);
      const kinds: string[] = [];
      client.on('notification', (message) => kinds.push((JSON.parse(message.payload ?? '{}') as { kind: string }).kind));
      await client.query(`LISTEN "${channel}"`);
      // B started before the monitor: had the monitor subscribed to remote events, B would publish this task's events
      const id = await engineB.dispatch(remoteWork, { n: -1 });
      await waitUntil(async () => (await engineB.getTask(id))?.status === 'completed', 'the task to complete');
      await client.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify({ kind: 'marker' })]);
      await waitUntil(() => kinds.includes('marker'), 'the marker');
      expect(kinds.filter((kind) => kind.startsWith('task-events'))).toEqual([]);
      const stream = await openEventStream(`${server.url}/api/events`, bearer);
      await stream.waitFor((event) => event.event === 'ready', 'ready');
      await waitUntil(() => kinds.includes('task-events-watch'), 'the announcement of the stream');
      stream.close();
    } finally {
      await client.end();
    }
  });

  it('streams the events of a task dispatched and run by another engine, with its instance id', async () => {
    const stream = await openEventStream(`${server.url}/api/events`, bearer);
    await stream.waitFor((event) => event.event === 'ready', 'ready');
    await firstSeen(stream);
    const id = await engineB.dispatch(remoteWork, { n: 1 });
    const completed = await stream.waitFor((event) => event.event === 'task:completed' && event.data.taskId === id, 'the remote completion');
    expect(completed.data).toMatchObject({ type: 'task:completed', taskId: id, taskName: 'remote-work', queue: 'default', remote: true, instanceId: engineB.instanceId, severity: 'information' });
    expect(completed.data.details).toMatchObject({ status: 'completed', attempt: 1 });
    expect(completed.data.at).toMatch(/Z$/);
    expect(stream.events.filter((event) => event.data.taskId === id).map((event) => event.event)).toEqual(['task:dispatched', 'task:started', 'task:completed']);
    // this engine's own events carry no remote marker
    const local = await engineA.dispatch(quickTask, { n: 2 });
    const own = await stream.waitFor((event) => event.event === 'task:completed' && event.data.taskId === local, 'the local completion');
    expect(own.data.remote).toBeUndefined();
    expect(stream.events.filter((event) => event.data.taskId === local && event.data.remote === true)).toEqual([]);
    stream.close();
  });

  it('carries a failure with its error text cut short, and filters remote events by type', async () => {
    const stream = await openEventStream(`${server.url}/api/events?types=task:failed`, bearer);
    await stream.waitFor((event) => event.event === 'ready', 'ready');
    const all = await openEventStream(`${server.url}/api/events`, bearer);
    await firstSeen(all);
    const id = await engineB.dispatch(remoteFailing, { size: 5000 });
    const failed = await stream.waitFor((event) => event.data.taskId === id, 'the remote failure');
    expect(failed.data).toMatchObject({ type: 'task:failed', severity: 'error', remote: true, instanceId: engineB.instanceId });
    const error = (failed.data.details as { error: string }).error;
    expect(error.length).toBeLessThanOrEqual(200);
    expect(error.startsWith('xxx')).toBe(true);
    expect(stream.events.filter((event) => event.event !== 'ready').every((event) => event.event === 'task:failed')).toBe(true);
    stream.close();
    all.close();
  });

  it('ignores malformed feed payloads with a warning event and goes on streaming', async () => {
    const stream = await openEventStream(`${server.url}/api/events`, bearer);
    await stream.waitFor((event) => event.event === 'ready', 'ready');
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      const channel = notificationChannel(schema);
      const good = ['task:completed', '0190aaaa-0000-7000-8000-000000000001', 'forged', 'default', 'completed', 1_700_000_000_000, 1, null];
      const payloads = [
        JSON.stringify({ kind: 'task-events', instanceId: 'forger', omitted: 0, events: [good, ['task:completed'], [1, 2, 3, 4, 5, 6, 7, 8], 'nonsense'] }),
        JSON.stringify({ kind: 'task-events', events: [good] }),
        JSON.stringify({ kind: 'task-events', instanceId: 'forger', events: 'not a list' }),
        '{"kind":"task-events", broken json',
      ];
      for (const payload of payloads) await client.query('SELECT pg_notify($1, $2)', [channel, payload]);
    } finally {
      await client.end();
    }
    const rejected = await stream.waitFor((event) => event.event === 'remote:rejected' && event.data.details !== undefined && (event.data.details as { rejected: number }).rejected === 3, 'the rejection of three entries');
    expect(rejected.data.severity).toBe('warning');
    await waitUntil(() => stream.events.filter((event) => event.event === 'remote:rejected').length >= 3, 'the two payloads rejected whole');
    const forged = stream.events.filter((event) => event.data.taskName === 'forged');
    expect(forged).toHaveLength(1);
    expect(forged[0]?.data).toMatchObject({ remote: true, instanceId: 'forger', taskId: '0190aaaa-0000-7000-8000-000000000001' });
    // the engines carry on
    await firstSeen(stream);
    stream.close();
  });
});
