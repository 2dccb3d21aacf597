/**
 * The scripts gather the index moves of a batch and write them as one command per key
 * (lib.lua: new_moves, flush_moves). These tests check the indexes against the task hashes after
 * the batches where gathering could go wrong: two changes of one task in one transition batch,
 * and a claim that reads an index again after skipping more entries than one page.
 */
import { afterAll, afterEach, expect, it } from 'vitest';
import type { RedisStorage } from '../src/index.js';
import { KeyNames } from '../src/keys.js';
import { adminClient, describeWithRedis, makeTask, storagesOnOwnPrefixes } from './redis-test-helpers.js';

const describeRedis = await describeWithRedis();
const T = 1_800_000_000_000;
const OWNER = 'owner-a';

describeRedis('RedisStorage: index moves gathered per batch', () => {
  const admin = adminClient();
  const storages = storagesOnOwnPrefixes('moves');

  async function open(): Promise<RedisStorage> {
    if (admin.status !== 'ready') await admin.connect();
    return storages.open();
  }

  /** Every index entry of the deployment, as the scripts keep them: key → sorted `member score` lines. */
  async function indexes(keys: KeyNames): Promise<Map<string, string[]>> {
    const found = new Map<string, string[]>();
    let cursor = '0';
    do {
      const [next, names] = await admin.scan(cursor, 'MATCH', `${keys.base}:*`, 'COUNT', 1000);
      cursor = next;
      for (const name of names) {
        if (!/:(s:[^:]+|due|lease):/.test(name) && !name.endsWith(':fin')) continue;
        const flat = await admin.zrange(name, 0, -1, 'WITHSCORES');
        const lines: string[] = [];
        for (let i = 0; i < flat.length; i += 2) lines.push(`${flat[i]} ${flat[i + 1]}`);
        if (lines.length > 0) found.set(name, lines.sort());
      }
    } while (cursor !== '0');
    return found;
  }

  /** The index entries the task hashes call for (the rules of lib.lua's reindex). */
  async function expectedIndexes(keys: KeyNames, ids: readonly string[]): Promise<Map<string, string[]>> {
    const expected = new Map<string, string[]>();
    const put = (key: string, line: string) => expected.set(key, [...(expected.get(key) ?? []), line].sort());
    for (const id of ids) {
      const h = await admin.hgetall(keys.task(id));
      if (h.status === undefined || h.queue === undefined) continue;
      put(`${keys.base}:s:${h.status}:${h.queue}`, `${h._ck}:${id} 0`);
      if ((h.status === 'waiting' || h.status === 'service-stopped') && h.due_at !== undefined) put(`${keys.base}:due:${h.queue}`, `${id} ${h.due_at}`);
      if ((h.status === 'queued' || h.status === 'in-progress') && h.lease_expires_at !== undefined) put(`${keys.base}:lease:${h.queue}`, `${id} ${h.lease_expires_at}`);
      if (['completed', 'failed', 'cancelled'].includes(h.status) && h.recurring === undefined) put(`${keys.base}:fin`, `${id} ${h.updated_at}`);
    }
    return expected;
  }

  afterEach(() => storages.cleanup());

  afterAll(() => admin.disconnect());

  it('applies two changes of one task in one transition batch in order, next to changes of other tasks', async () => {
    const storage = await open();
    const keys = new KeyNames(storage.prefix);
    const tasks = Array.from({ length: 6 }, (_, i) => makeTask({ dueAt: T + i, createdAt: T - 100 + i }));
    await storage.add(tasks);
    const claimed = await storage.claimDue({ owner: OWNER, now: T + 10, limit: 6, leaseMs: 30_000 });
    expect(claimed.map((t) => t.id).sort()).toEqual(tasks.map((t) => t.id).sort());
    const [a, b, c, d] = tasks as [(typeof tasks)[0], (typeof tasks)[0], (typeof tasks)[0], (typeof tasks)[0]];
    const applied = await storage.transition([
      { id: a.id, from: ['queued'], owner: OWNER, to: 'in-progress', at: T + 11, patch: { leaseExpiresAt: T + 40_000 } },
      { id: b.id, from: ['queued'], owner: OWNER, to: 'completed', at: T + 11, patch: { leaseOwner: null, leaseExpiresAt: null, dueAt: null } },
      // a's second change: it sees the first one's status, and its index moves follow the first one's
      { id: a.id, from: ['in-progress'], owner: OWNER, to: 'waiting', at: T + 12, patch: { leaseOwner: null, leaseExpiresAt: null, dueAt: T + 500 } },
      { id: c.id, from: ['queued'], owner: OWNER, to: 'failed', at: T + 12, patch: { leaseOwner: null, leaseExpiresAt: null, dueAt: null, error: 'boom' } },
      // and a third, back to a lease
      { id: a.id, from: ['waiting'], to: 'queued', at: T + 13, owner: undefined, patch: { leaseOwner: OWNER, leaseExpiresAt: T + 50_000 } },
      // a guard that fails after an earlier change of the same task in the batch
      { id: b.id, from: ['queued'], owner: OWNER, to: 'cancelled', at: T + 13 },
      { id: d.id, from: ['waiting'], owner: OWNER, to: 'completed', at: T + 13 },
    ]);
    expect(applied).toEqual([true, true, true, true, true, false, false]);
    expect((await storage.get(a.id))?.status).toBe('queued');
    expect((await storage.get(a.id))?.leaseExpiresAt).toBe(T + 50_000);
    expect((await storage.get(b.id))?.status).toBe('completed');
    expect(await indexes(keys)).toEqual(await expectedIndexes(keys, tasks.map((t) => t.id)));
    const counts = Object.fromEntries((await storage.count()).map((cell) => [cell.status, cell.count]));
    expect(counts).toEqual({ queued: 4, completed: 1, failed: 1 });
  });

  it('claims past more skipped entries than one page, and drops index entries of deleted tasks, with the indexes right', async () => {
    const storage = await open();
    const keys = new KeyNames(storage.prefix);
    // 40 tasks of another name due first (skipped: the claim asks for "wanted" only), 10 wanted later
    const others = Array.from({ length: 40 }, (_, i) => makeTask({ name: 'other', dueAt: T + i, createdAt: T - 1000 + i }));
    const wanted = Array.from({ length: 10 }, (_, i) => makeTask({ name: 'wanted', dueAt: T + 100 + i, createdAt: T - 500 + i }));
    await storage.add([...others, ...wanted]);
    // three hashes deleted behind the storage's back: their index entries are dropped by the claim
    const gone = wanted.slice(0, 3);
    await admin.del(...gone.map((t) => keys.task(t.id)));
    const claimed = await storage.claimDue({ owner: OWNER, now: T + 1000, limit: 5, leaseMs: 30_000, names: ['wanted'] });
    expect(claimed.map((t) => t.id)).toEqual(wanted.slice(3, 8).map((t) => t.id));
    const all = [...others, ...wanted].map((t) => t.id);
    // a status-set member holds the created key, which went with the hash: those entries stay
    const withoutGone = async () => {
      const found = await indexes(keys);
      for (const [key, lines] of found) {
        const kept = lines.filter((line) => !gone.some((t) => key.includes(':s:') && line.includes(t.id)));
        if (kept.length > 0) found.set(key, kept);
        else found.delete(key);
      }
      return found;
    };
    expect(await withoutGone()).toEqual(await expectedIndexes(keys, all));
    const again = await storage.claimDue({ owner: OWNER, now: T + 1000, limit: 50, leaseMs: 30_000 });
    expect(again.map((t) => t.id).sort()).toEqual([...others, ...wanted.slice(8)].map((t) => t.id).sort());
    expect(await withoutGone()).toEqual(await expectedIndexes(keys, all));
  });

  it('reads a page again after claiming from it: claims between skipped entries take every wanted task, in due order', async () => {
    const storage = await open();
    const keys = new KeyNames(storage.prefix);
    // due order: other, wanted, other, wanted, … (60 tasks); the claim of 25 reads past several pages
    const tasks = Array.from({ length: 60 }, (_, i) => makeTask({ name: i % 2 === 0 ? 'other' : 'wanted', dueAt: T + i, createdAt: T - 1000 + i }));
    await storage.add(tasks);
    const wanted = tasks.filter((t) => t.name === 'wanted');
    const claimed = await storage.claimDue({ owner: OWNER, now: T + 1000, limit: 25, leaseMs: 30_000, names: ['wanted'] });
    expect(claimed.map((t) => t.id)).toEqual(wanted.slice(0, 25).map((t) => t.id));
    expect(await indexes(keys)).toEqual(await expectedIndexes(keys, tasks.map((t) => t.id)));
  });
});
