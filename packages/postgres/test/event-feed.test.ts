import pg from 'pg';
import { expect, it } from 'vitest';
import { EverTask, defineTask, silentLogger, type EverTaskEvents, type EverTaskOptions, type StorageNotification } from 'evertask';
import { notificationChannel } from '../src/notifications.js';
import { PG_URL, describeWithPostgres, useStorages, waitFor } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();

const work = defineTask({ name: 'feed-work', handler: async (_payload: { n: number }) => undefined });
const other = defineTask({ name: 'feed-other', handler: async () => undefined });

interface Payload {
  kind: string;
  instanceId?: string;
  omitted?: number;
  events?: unknown[];
  bytes: number;
}

describePg('the task event feed over LISTEN/NOTIFY (eventFeed option)', () => {
  const instances = useStorages(import.meta.url);

  /** Two started engines on a fresh schema (B runs `feed-work`, A only `feed-other`) and a raw listener on the channel. */
  async function setUp(b: Partial<EverTaskOptions> = {}) {
    const schema = instances.fresh();
    const engineA = new EverTask({ storage: instances.make({ schema }), tasks: [other], logger: silentLogger });
    const engineB = new EverTask({ storage: instances.make({ schema }), tasks: [work], logger: silentLogger, ...b });
    await engineA.start();
    await engineB.start();
    instances.onCleanup(() => engineA.stop({ timeout: 1000 }));
    instances.onCleanup(() => engineB.stop({ timeout: 1000 }));
    const payloads: Payload[] = [];
    const client = new pg.Client({ connectionString: PG_URL });
    client.on('error', () => undefined);
    await client.connect();
    instances.onCleanup(() => client.end());
    client.on('notification', (message) => {
      const text = message.payload ?? '';
      payloads.push({ ...(JSON.parse(text) as Omit<Payload, 'bytes'>), bytes: Buffer.byteLength(text) });
    });
    const channel = notificationChannel(schema);
    await client.query(`LISTEN "${channel}"`);
    /** Resolves once a marker sent now came back: every notification committed before it has arrived. */
    const settled = async () => {
      const marker = `marker-${payloads.length}-${Math.random()}`;
      await client.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify({ kind: marker })]);
      await waitFor(() => payloads.some((p) => p.kind === marker), 5000, 'the marker');
    };
    return { engineA, engineB, payloads, settled };
  }

  it("publishes nothing until an engine subscribes to remote:task ('when-watched', the default), then streams to it", async () => {
    const { engineA, engineB, payloads, settled } = await setUp();
    const first = await engineB.dispatch(work, { n: 1 });
    await engineB.once('task:completed', (e) => e.taskId === first);
    await settled();
    expect(payloads.filter((p) => p.kind.startsWith('task-events'))).toEqual([]);

    const seen: EverTaskEvents['remote:task'][] = [];
    const off = engineA.on('remote:task', (e) => seen.push(e));
    await waitFor(() => payloads.some((p) => p.kind === 'task-events-watch' && p.instanceId === engineA.instanceId), 5000, 'the watch announcement');
    await settled();
    const second = await engineB.dispatch(work, { n: 2 });
    await waitFor(() => seen.some((e) => e.taskId === second && e.type === 'task:completed'), 5000, 'the remote completion');
    expect(seen.filter((e) => e.taskId === second).map((e) => [e.type, e.status, e.instanceId])).toEqual([
      ['task:dispatched', 'waiting', engineB.instanceId],
      ['task:started', 'in-progress', engineB.instanceId],
      ['task:completed', 'completed', engineB.instanceId],
    ]);
    expect(seen.some((e) => e.taskId === first)).toBe(false);
    off();
  });

  it("splits a large flush into payloads under pg_notify's 8,000 bytes and accounts for every entry", async () => {
    const { engineA, engineB, payloads, settled } = await setUp({ eventFeed: 'always', queues: { default: { concurrency: 16, capacity: 2000 } } });
    const received: EverTaskEvents['remote:task'][] = [];
    engineA.on('remote:task', (e) => received.push(e));
    let emitted = 0;
    for (const type of ['task:dispatched', 'task:started', 'task:completed'] as const) engineB.on(type, () => emitted++);
    const done = new Set<string>();
    engineB.on('task:completed', (e) => done.add(e.taskId));
    const ids = await engineB.dispatchMany(work, Array.from({ length: 1500 }, (_, n) => ({ n })));
    await waitFor(() => ids.every((id) => done.has(id)), 30_000, 'every task to complete');
    // the feed of a flush is sent after its events were emitted: wait for the count, then for
    // anything sent after it (an entry too many would show as a count above `emitted`)
    const published = () =>
      payloads.filter((p) => p.kind === 'task-events').reduce((sum, p) => sum + (p.events?.length ?? 0) + (p.omitted ?? 0), 0);
    await waitFor(() => published() >= emitted, 30_000, 'every emitted event in the feed');
    await settled();
    const feed = payloads.filter((p) => p.kind === 'task-events');
    expect(feed.length).toBeGreaterThan(1);
    for (const p of feed) expect(p.bytes).toBeLessThan(8000);
    const entries = feed.reduce((sum, p) => sum + (p.events?.length ?? 0), 0);
    const omitted = feed.reduce((sum, p) => sum + (p.omitted ?? 0), 0);
    expect(entries + omitted).toBe(emitted);
    await waitFor(() => received.length === entries, 5000, 'engine A to re-emit every entry');
    // a payload filled up to the limit: its flush held more entries than one payload takes, and went on in the next
    expect(feed.some((p) => p.bytes > 7000)).toBe(true);
  }, 60_000);

  it("sends nothing with eventFeed 'off', yet still receives the others' events", async () => {
    const { engineA, engineB, payloads, settled } = await setUp({ eventFeed: 'off' });
    engineA.on('remote:task', () => undefined);
    await waitFor(() => payloads.some((p) => p.kind === 'task-events-watch'), 5000, 'the watch announcement');
    const id = await engineB.dispatch(work, { n: 1 });
    await engineB.once('task:completed', (e) => e.taskId === id);
    await settled();
    expect(payloads.filter((p) => p.kind === 'task-events')).toEqual([]);
    const fromB: string[] = [];
    engineB.on('remote:task', (e) => fromB.push(e.taskId));
    const storageA = engineA.storage.notifications!;
    await storageA.notify({ kind: 'task-events', instanceId: engineA.instanceId, events: [{ type: 'task:completed', taskId: id, taskName: 'feed-other', queue: 'default', status: 'completed', at: 1_700_000_000_000 }] });
    await waitFor(() => fromB.includes(id), 5000, 'engine B to receive the entry');
  });
  it("drops its own task-events payloads unread when they come back on LISTEN, and delivers the others'", async () => {
    const schema = instances.fresh();
    const mine = instances.make({ schema });
    const theirs = instances.make({ schema });
    await mine.open();
    await theirs.open();
    const seen: StorageNotification[] = [];
    await mine.notifications!.subscribe((n) => seen.push(n));
    const entry = { type: 'task:completed', taskId: 'abc', taskName: 'x', queue: 'default', status: 'completed', at: 1_700_000_000_000 } as const;
    await mine.notifications!.notify({ kind: 'task-events', instanceId: 'me', events: [entry] });
    await theirs.notifications!.notify({ kind: 'task-events', instanceId: 'them', events: [entry] });
    await mine.notifications!.notify({ kind: 'task-available' });
    await waitFor(() => seen.some((n) => n.kind === 'task-available'), 5000, 'the wake-up sent last');
    expect(seen.filter((n) => n.kind === 'task-events').map((n) => n.instanceId)).toEqual(['them']);
  });
});
