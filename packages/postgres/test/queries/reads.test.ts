import { expect, it } from 'vitest';
import { describeWithPostgres, makeTask, useStorage } from '../pg-test-helpers.js';

const describePg = await describeWithPostgres();

describePg('PostgresStorage reads', () => {
  const fixture = useStorage(import.meta.url);

  it('pages pending tasks by (createdAt, id) and lists scheduled ones', async () => {
    const tasks = Array.from({ length: 7 }, (_, i) => makeTask({ createdAt: 1000 + Math.floor(i / 2), dueAt: 5000 - i }));
    const finished = makeTask({ status: 'failed', createdAt: 999 });
    await fixture.storage.add([...tasks, finished]);
    const seen: string[] = [];
    let cursor: { createdAt: number; id: string } | undefined;
    for (;;) {
      const page = await fixture.storage.pending(cursor, 3);
      if (page.length === 0) break;
      seen.push(...page.map((t) => t.id));
      const last = page[page.length - 1]!;
      cursor = { createdAt: last.createdAt, id: last.id };
    }
    const expected = [...tasks].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1)).map((t) => t.id);
    expect(seen).toEqual(expected);
    const scheduled = await fixture.storage.scheduled(4996, 10);
    expect(scheduled.map((t) => t.dueAt)).toEqual([4994, 4995, 4996]);
  });

  it('filters, sorts and pages queries and counts in the database', async () => {
    await fixture.storage.add([
      makeTask({ name: 'SendEmail', queue: 'mail', createdAt: 1, taskKey: 'welcome-1' }),
      makeTask({ name: 'send-sms', queue: 'sms', createdAt: 2, status: 'completed' }),
      makeTask({ name: 'Report', queue: 'default', createdAt: 3, recurring: '{}', status: 'failed' }),
      makeTask({ name: 'report-daily', queue: 'default', createdAt: 4 }),
    ]);
    const all = await fixture.storage.query({}, { limit: 2 });
    expect(all.total).toBe(4);
    expect(all.items.map((t) => t.createdAt)).toEqual([4, 3]);
    const page2 = await fixture.storage.query({}, { limit: 2, offset: 2, descending: false });
    expect(page2.items.map((t) => t.createdAt)).toEqual([3, 4]);
    expect((await fixture.storage.query({}, { offset: 10 })).total).toBe(4);
    expect((await fixture.storage.query({ nameContains: 'SEND' })).total).toBe(2);
    expect((await fixture.storage.query({ search: 'welcome' })).total).toBe(1);
    expect((await fixture.storage.query({ search: '%' })).total).toBe(0);
    expect((await fixture.storage.query({ recurring: true })).items[0]?.name).toBe('Report');
    expect((await fixture.storage.query({ statuses: ['waiting'], queue: 'default' })).total).toBe(1);
    expect((await fixture.storage.query({ createdAfter: 2, createdBefore: 4 })).total).toBe(2);
    expect((await fixture.storage.query({ ids: ['nope'] })).total).toBe(0);
    expect((await fixture.storage.query({}, { sortBy: 'queue', descending: false })).items.map((t) => t.queue)).toEqual([
      'default',
      'default',
      'mail',
      'sms',
    ]);
    expect(await fixture.storage.count()).toEqual([
      { queue: 'default', status: 'failed', count: 1 },
      { queue: 'default', status: 'waiting', count: 1 },
      { queue: 'mail', status: 'waiting', count: 1 },
      { queue: 'sms', status: 'completed', count: 1 },
    ]);
    expect(await fixture.storage.count({ queue: 'mail' })).toEqual([{ queue: 'mail', status: 'waiting', count: 1 }]);
  });
});
