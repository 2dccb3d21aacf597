import { expect } from 'vitest';
import { uuidv7 } from '../../ids.js';
import { TERMINAL_STATUSES } from '../../ports/task-record.js';
import type { StoredTask, TaskStatus } from '../../ports/task-record.js';
import type { TaskSortField, TaskStorage } from '../../ports/task-storage.js';
import { T, LEASE, task, ids, sortedIds, byQueueAndStatus, cell } from './fixtures.js';
import { scheduledTasks } from '../../storage/derived-reads.js';
import type { Register } from './fixtures.js';

// ---- pending and scheduled ---------------------------------------------------------------------

export function registerPendingTests(test: Register): void {
  test('pending pages by (createdAt, id) and excludes terminal tasks', async (s) => {
    const statuses: TaskStatus[] = ['waiting', 'queued', 'completed', 'in-progress', 'failed', 'service-stopped', 'cancelled'];
    const offsets = [3, 1, 2, 1, 2, 0, 3, 1, 5, 2, 4, 0];
    const batch = offsets.map((offset, i) => task({ createdAt: T + offset, status: statuses[i % statuses.length] as TaskStatus }));
    // Insert in an order unrelated to both createdAt and id.
    await s.add([...batch].reverse());
    const expected = batch
      .filter((t) => !TERMINAL_STATUSES.includes(t.status))
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    const seen: StoredTask[] = [];
    let page = await s.pending(undefined, 2);
    while (page.length > 0) {
      expect(page.length).toBeLessThanOrEqual(2);
      seen.push(...page);
      const last = page[page.length - 1] as StoredTask;
      page = await s.pending({ createdAt: last.createdAt, id: last.id }, 2);
    }
    expect(ids(seen)).toEqual(ids(expected));
    expect(seen).toEqual(expected);
    expect(await s.pending(undefined, 0)).toEqual([]);
  });

  test('scheduled returns waiting tasks due by the given time, by due time', async (s) => {
    const late = task({ dueAt: T + 300 });
    const early = task({ dueAt: T + 100 });
    const edge = task({ dueAt: T + 400 });
    const beyond = task({ dueAt: T + 401 });
    await s.add([
      late,
      early,
      edge,
      beyond,
      task({ dueAt: null }),
      task({ status: 'completed', dueAt: T + 50 }),
      task({ status: 'service-stopped', dueAt: T + 50 }),
      task({ status: 'queued', dueAt: T + 50, leaseOwner: 'w', leaseExpiresAt: T + 60 }),
    ]);
    expect(ids(await scheduledTasks(s, T + 400, 10))).toEqual([early.id, late.id, edge.id]);
    expect(ids(await scheduledTasks(s, T + 400, 2))).toEqual([early.id, late.id]);
    expect(await scheduledTasks(s, T + 99, 10)).toEqual([]);
  });
}

// ---- query and count ---------------------------------------------------------------------------

interface QueryFixture {
  q1: StoredTask;
  q2: StoredTask;
  q3: StoredTask;
  q4: StoredTask;
  q5: StoredTask;
}

async function addQueryFixture(s: TaskStorage): Promise<QueryFixture> {
  const lease = { leaseOwner: 'w', leaseExpiresAt: T + LEASE };
  const f: QueryFixture = {
    q1: task({ name: 'send-email', queue: 'mail', taskKey: 'Welcome-42', createdAt: T + 1 }),
    q2: task({ name: 'send-sms', queue: 'sms', status: 'completed', createdAt: T + 2 }),
    q3: task({ name: 'daily-report', queue: 'default', taskKey: 'daily-report', status: 'failed', createdAt: T + 3, recurring: '{"cron":"0 3 * * *"}' }),
    q4: task({ name: 'SEND-EMAIL-BULK', queue: 'mail', taskKey: 'bulk', status: 'in-progress', createdAt: T + 4, ...lease }),
    q5: task({ name: 'cleanup', queue: 'default', taskKey: 'nightly-Cleanup', status: 'cancelled', createdAt: T + 5, recurring: '{"every":"1d"}' }),
  };
  await s.add(Object.values(f));
  return f;
}

export function registerQueryTests(test: Register): void {
  test('query filters by each field', async (s) => {
    const { q1, q2, q3, q4, q5 } = await addQueryFixture(s);
    const match = async (filter: Parameters<TaskStorage['query']>[0]) => sortedIds((await s.query(filter, { limit: 100 })).items);
    const expectIds = (...tasks: StoredTask[]) => sortedIds(tasks);
    expect(await match({})).toEqual(expectIds(q1, q2, q3, q4, q5));
    expect(await match({ ids: [q1.id, q3.id, uuidv7()] })).toEqual(expectIds(q1, q3));
    expect(await match({ statuses: ['waiting', 'failed'] })).toEqual(expectIds(q1, q3));
    expect(await match({ name: 'send-email' })).toEqual(expectIds(q1));
    expect(await match({ nameContains: 'send-email' })).toEqual(expectIds(q1, q4));
    expect(await match({ nameContains: 'EMAIL' })).toEqual(expectIds(q1, q4));
    expect(await match({ queue: 'mail' })).toEqual(expectIds(q1, q4));
    expect(await match({ taskKey: 'bulk' })).toEqual(expectIds(q4));
    expect(await match({ taskKey: 'Bulk' })).toEqual([]);
    expect(await match({ recurring: true })).toEqual(expectIds(q3, q5));
    expect(await match({ recurring: false })).toEqual(expectIds(q1, q2, q4));
    expect(await match({ createdAfter: T + 3 })).toEqual(expectIds(q3, q4, q5));
    expect(await match({ createdBefore: T + 3 })).toEqual(expectIds(q1, q2));
    expect(await match({ search: 'welcome' })).toEqual(expectIds(q1));
    expect(await match({ search: 'CLEANUP' })).toEqual(expectIds(q5));
    expect(await match({ search: 'report' })).toEqual(expectIds(q3));
    expect(await match({ search: 'send' })).toEqual(expectIds(q1, q2, q4));
  });

  test('query combines filters with AND', async (s) => {
    const { q2, q4, q5 } = await addQueryFixture(s);
    const match = async (filter: Parameters<TaskStorage['query']>[0]) => sortedIds((await s.query(filter, { limit: 100 })).items);
    expect(await match({ queue: 'mail', statuses: ['in-progress'] })).toEqual([q4.id]);
    expect(await match({ queue: 'mail', statuses: ['completed'] })).toEqual([]);
    expect(await match({ recurring: true, createdAfter: T + 4 })).toEqual([q5.id]);
    expect(await match({ search: 'send', queue: 'sms' })).toEqual([q2.id]);
    expect(await match({ createdAfter: T + 3, createdBefore: T + 5, nameContains: 'send' })).toEqual([q4.id]);
    expect(await match({ createdAfter: T + 2, createdBefore: T + 4, nameContains: 'send' })).toEqual([q2.id]);
  });

  test('search and nameContains treat % and _ literally', async (s) => {
    const percent = task({ name: 'progress 100%' });
    const digits = task({ name: 'progress 1000' });
    const underscore = task({ name: 'a_b' });
    const letter = task({ name: 'axb', taskKey: 'a%b' });
    await s.add([percent, digits, underscore, letter]);
    const match = async (filter: Parameters<TaskStorage['query']>[0]) => sortedIds((await s.query(filter)).items);
    expect(await match({ search: '100%' })).toEqual([percent.id]);
    expect(await match({ nameContains: 'a_b' })).toEqual([underscore.id]);
    expect(await match({ search: 'a%b' })).toEqual([letter.id]);
  });

  test('query sorts by every field in both directions', async (s) => {
    const statuses: TaskStatus[] = ['waiting', 'completed', 'queued'];
    const values: Record<TaskSortField, (number | string)[]> = {
      createdAt: [T + 2, T + 1, T + 3],
      updatedAt: [T + 20, T + 30, T + 10],
      dueAt: [T + 200, T + 100, T + 300],
      lastExecutionAt: [T + 1000, T + 3000, T + 2000],
      status: statuses,
      name: ['bravo', 'alpha', 'charlie'],
      queue: ['q-b', 'q-c', 'q-a'],
    };
    const batch = [0, 1, 2].map((i) => {
      const overrides: Record<string, number | string> = {};
      for (const [field, list] of Object.entries(values)) overrides[field] = list[i] as number | string;
      return task(overrides as Partial<StoredTask>);
    });
    await s.add(batch);
    for (const [field, list] of Object.entries(values) as [TaskSortField, (number | string)[]][]) {
      const ascending = [0, 1, 2].sort((x, y) => ((list[x] as number | string) < (list[y] as number | string) ? -1 : 1));
      const expected = ascending.map((i) => (batch[i] as StoredTask).id);
      const asc = await s.query({}, { sortBy: field, descending: false });
      expect(ids(asc.items), `${field} ascending`).toEqual(expected);
      const desc = await s.query({}, { sortBy: field, descending: true });
      expect(ids(desc.items), `${field} descending`).toEqual([...expected].reverse());
    }
  });

  test('query breaks ties by id in the sort direction', async (s) => {
    const batch = Array.from({ length: 5 }, () => task({ createdAt: T + 7, queue: 'same' }));
    await s.add(batch);
    const sorted = sortedIds(batch);
    expect(ids((await s.query({}, { sortBy: 'queue', descending: false })).items)).toEqual(sorted);
    expect(ids((await s.query({}, { sortBy: 'createdAt', descending: true })).items)).toEqual([...sorted].reverse());
  });

  test('query pages with offset and limit and reports the total', async (s) => {
    const batch = Array.from({ length: 60 }, (_, i) => task({ createdAt: T + i }));
    await s.add(batch);
    const first = await s.query({});
    expect(first.total).toBe(60);
    expect(first.items).toHaveLength(50);
    expect(first.items[0]).toEqual(batch[59]);
    expect(first.items[49]).toEqual(batch[10]);
    const tail = await s.query({}, { offset: 55, limit: 10, descending: false });
    expect(tail.total).toBe(60);
    expect(ids(tail.items)).toEqual(ids(batch.slice(55)));
    const middle = await s.query({}, { offset: 5, limit: 3, sortBy: 'createdAt', descending: false });
    expect(ids(middle.items)).toEqual(ids(batch.slice(5, 8)));
    expect(await s.query({}, { offset: 60 })).toEqual({ items: [], total: 60 });
    expect(await s.query({}, { limit: 0 })).toEqual({ items: [], total: 60 });
    const filtered = await s.query({ createdAfter: T + 50 }, { limit: 3 });
    expect(filtered.total).toBe(10);
    expect(filtered.items).toHaveLength(3);
  });

  test('count groups by queue and status and omits empty cells', async (s) => {
    const lease = { leaseOwner: 'w', leaseExpiresAt: T + LEASE };
    await s.add([
      task({ queue: 'mail', createdAt: T + 1 }),
      task({ queue: 'mail', createdAt: T + 2 }),
      task({ queue: 'mail', status: 'completed', createdAt: T + 3 }),
      task({ queue: 'sms', createdAt: T + 4 }),
      task({ queue: 'default', status: 'failed', createdAt: T + 5 }),
      task({ queue: 'default', status: 'in-progress', createdAt: T + 6, ...lease, name: 'special' }),
    ]);
    expect(byQueueAndStatus(await s.count())).toEqual([
      cell('default', 'failed', 1),
      cell('default', 'in-progress', 1),
      cell('mail', 'completed', 1),
      cell('mail', 'waiting', 2),
      cell('sms', 'waiting', 1),
    ]);
    expect(byQueueAndStatus(await s.count({ queue: 'mail' }))).toEqual([cell('mail', 'completed', 1), cell('mail', 'waiting', 2)]);
    expect(byQueueAndStatus(await s.count({ statuses: ['waiting'] }))).toEqual([cell('mail', 'waiting', 2), cell('sms', 'waiting', 1)]);
    expect(byQueueAndStatus(await s.count({ createdAfter: T + 4 }))).toEqual([
      cell('default', 'failed', 1),
      cell('default', 'in-progress', 1),
      cell('sms', 'waiting', 1),
    ]);
    expect(await s.count({ name: 'special' })).toEqual([cell('default', 'in-progress', 1)]);
    expect(await s.count({ queue: 'none' })).toEqual([]);
  });
}
