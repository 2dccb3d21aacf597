/**
 * Tasks parked for a rate-limit slot on SQLite survive a restart: a parked task is `waiting` in
 * the file, due at its slot; a new engine on the reopened file runs it at that slot (SQLite has no
 * shared limiter: the new engine's budgets start full, in memory).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EverTask, defineTask, silentLogger } from 'evertask';
import { ManualClock, settle } from 'evertask/testing';
import { SqliteStorage } from '../src/index.js';
import { tempDir } from './helpers.js';

describe('rate-limited tasks on SQLite across a restart', () => {
  const tmp = tempDir();
  afterEach(() => tmp.cleanup());

  it('keeps parked tasks with their slots and runs each at its slot after the file is reopened', async () => {
    const file = tmp.file();
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const t0 = clock.now();
    const starts: [number, number][] = [];
    const task = defineTask({ name: 'api', rateLimit: { permits: 1, period: '1s' }, handler: (n: number) => void starts.push([n, clock.now() - t0]) });
    const first = new EverTask({ storage: new SqliteStorage({ filename: file }), clock, tasks: [task], logger: silentLogger });
    await first.start();
    const ids = [await first.dispatch(task, 1), await first.dispatch(task, 2), await first.dispatch(task, 3)];
    await settle(40);
    expect(starts).toEqual([[1, 0]]);
    await first.stop({ closeStorage: true });

    const reopened = new SqliteStorage({ filename: file });
    await reopened.open();
    const parked = await Promise.all(ids.slice(1).map((id) => reopened.get(id)));
    expect(parked.map((t) => [t?.status, (t?.dueAt ?? 0) - t0])).toEqual([
      ['waiting', 1000],
      ['waiting', 2000],
    ]);
    const second = new EverTask({ storage: reopened, clock, tasks: [task], logger: silentLogger });
    await second.start();
    await settle(20);
    expect(starts).toHaveLength(1);
    for (let i = 0; i < 2; i++) {
      await clock.advance(1000);
      await settle(40);
    }
    expect(starts).toEqual([
      [1, 0],
      [2, 1000],
      [3, 2000],
    ]);
    await second.stop({ closeStorage: true });
  });
});
