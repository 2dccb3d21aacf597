import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, uuidv7, type StoredTask } from 'evertask';
import { T0, makeTask } from '../helpers.js';
import { useFreshStorage } from '../fresh-storage.js';

describe('SQLite queries: reads', () => {
  const fixture = useFreshStorage();

  it('pending pages non-terminal tasks by (createdAt, id); scheduled lists waiting tasks by due time', async () => {
    const { storage } = fixture;
    const tasks = [
      makeTask({ createdAt: T0 + 3 }),
      makeTask({ createdAt: T0 + 1, status: 'queued' }),
      makeTask({ createdAt: T0 + 2, status: 'completed' }),
      makeTask({ createdAt: T0 + 1, status: 'service-stopped' }),
      makeTask({ createdAt: T0 + 4, status: 'in-progress' }),
    ];
    await storage.add(tasks);
    const expected = tasks
      .filter((t) => t.status !== 'completed')
      .sort((x, y) => x.createdAt - y.createdAt || (x.id < y.id ? -1 : 1))
      .map((t) => t.id);
    const page1 = await storage.pending(undefined, 2);
    const last = page1[1] as StoredTask;
    const page2 = await storage.pending({ createdAt: last.createdAt, id: last.id }, 10);
    expect([...page1, ...page2].map((t) => t.id)).toEqual(expected);
    expect(await storage.pending(undefined, 0)).toEqual([]);

    const s1 = makeTask({ dueAt: T0 + 500 });
    const s2 = makeTask({ dueAt: T0 + 200 });
    const s3 = makeTask({ dueAt: T0 + 900 });
    await storage.add([s1, s2, s3]);
    const scheduled = await storage.scheduled(T0 + 600, 10);
    expect(scheduled.map((t) => t.id).slice(-2)).toEqual([s2.id, s1.id]);
    expect(scheduled.every((t) => t.status === 'waiting' && (t.dueAt as number) <= T0 + 600)).toBe(true);
  });

  it('query filters, sorts (nulls last), pages and totals in SQL; count groups by queue and status', async () => {
    const { storage } = fixture;
    const tasks = [
      makeTask({ name: 'Send-Email', createdAt: T0 + 1, taskKey: 'welcome-1', dueAt: null }),
      makeTask({ name: 'resize-image', createdAt: T0 + 2, queue: 'media', status: 'completed', dueAt: T0 + 50 }),
      makeTask({ name: 'ÉCOLE-report', createdAt: T0 + 3, recurring: '{}', dueAt: T0 + 10 }),
      makeTask({ name: 'send-email', createdAt: T0 + 4, status: 'failed', taskKey: 'x-EMAIL', dueAt: T0 + 30 }),
    ];
    await storage.add(tasks);
    const ids = (r: { items: StoredTask[] }) => r.items.map((t) => t.id);
    const [t0, t1, t2, t3] = tasks as [StoredTask, StoredTask, StoredTask, StoredTask];

    expect(ids(await storage.query({}))).toEqual([t3.id, t2.id, t1.id, t0.id]);
    expect(ids(await storage.query({}, { descending: false, limit: 2, offset: 1 }))).toEqual([t1.id, t2.id]);
    expect((await storage.query({}, { limit: 1 })).total).toBe(4);
    expect(ids(await storage.query({ statuses: ['failed', 'completed'] }))).toEqual([t3.id, t1.id]);
    expect(ids(await storage.query({ name: 'send-email' }))).toEqual([t3.id]);
    expect(ids(await storage.query({ nameContains: 'EMAIL' }))).toEqual([t3.id, t0.id]);
    expect(ids(await storage.query({ nameContains: 'école' }))).toEqual([t2.id]);
    expect(ids(await storage.query({ queue: 'media' }))).toEqual([t1.id]);
    expect(ids(await storage.query({ taskKey: 'welcome-1' }))).toEqual([t0.id]);
    expect(ids(await storage.query({ recurring: true }))).toEqual([t2.id]);
    expect(ids(await storage.query({ recurring: false }, { descending: false }))).toEqual([t0.id, t1.id, t3.id]);
    expect(ids(await storage.query({ createdAfter: T0 + 2, createdBefore: T0 + 4 }))).toEqual([t2.id, t1.id]);
    expect(ids(await storage.query({ search: 'email' }))).toEqual([t3.id, t0.id]);
    expect(ids(await storage.query({ search: 'welcome' }))).toEqual([t0.id]);
    expect(ids(await storage.query({ ids: [t1.id, t3.id, uuidv7()] }))).toEqual([t3.id, t1.id]);
    expect(ids(await storage.query({ ids: [] }))).toEqual([]);
    expect(ids(await storage.query({}, { sortBy: 'dueAt', descending: false }))).toEqual([t2.id, t3.id, t1.id, t0.id]);
    expect(ids(await storage.query({}, { sortBy: 'dueAt', descending: true }))).toEqual([t1.id, t3.id, t2.id, t0.id]);
    expect((await storage.query({}, { offset: 10 })).items).toEqual([]);
    await expect(storage.query({}, { sortBy: 'payload' as never })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(storage.query({ statuses: ['nope' as never] })).rejects.toBeInstanceOf(InvalidArgumentError);

    expect(await storage.count()).toEqual([
      { queue: 'default', status: 'failed', count: 1 },
      { queue: 'default', status: 'waiting', count: 2 },
      { queue: 'media', status: 'completed', count: 1 },
    ]);
    expect(await storage.count({ queue: 'media' })).toEqual([{ queue: 'media', status: 'completed', count: 1 }]);
  });
});
