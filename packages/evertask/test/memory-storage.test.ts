import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../src/storage/memory/memory-storage.js';
import { describeStorageConformance, makeStoredTask } from '../src/testing/index.js';
import { uuidv7 } from '../src/ids.js';
import { countExecutionLogs, scheduledTasks } from '../src/storage/derived-reads.js';
import type { ExecutionLogEntry, StoredTask } from '../src/ports/task-record.js';
import type { StorageNotification, TaskStorage } from '../src/ports/task-storage.js';

describeStorageConformance('MemoryStorage', () => new MemoryStorage());

const T = Date.UTC(2026, 0, 1);

function task(overrides: Partial<StoredTask> = {}): StoredTask {
  return makeStoredTask({ createdAt: T, ...overrides });
}

function log(taskId: string, at: number, sequence = 0): ExecutionLogEntry {
  return { id: uuidv7(at), taskId, at, level: 'information', message: 'm', exception: null, sequence };
}

async function openStorage(): Promise<MemoryStorage> {
  const storage = new MemoryStorage();
  await storage.open();
  return storage;
}

describe('MemoryStorage (memory-only)', () => {
  it('declares exactly its capabilities', async () => {
    const storage = await openStorage();
    expect(storage.capabilities).toEqual({
      persistent: false,
      multiProcess: false,
      transactionalDispatch: false,
    });
  });

  it('copies records in and out, never aliasing them', async () => {
    const storage = await openStorage();
    const t = task({ taskKey: 'k', dueAt: T });
    const original = { ...t };
    await storage.add([t], { audit: true });
    t.name = 'mutated input';
    t.status = 'failed';
    expect(await storage.get(original.id)).toEqual(original);

    const fromGet = (await storage.get(original.id)) as StoredTask;
    fromGet.payload = 'changed';
    const fromKey = (await storage.getByTaskKey('k')) as StoredTask;
    fromKey.queue = 'changed';
    const fromQuery = (await storage.query({})).items[0] as StoredTask;
    fromQuery.name = 'changed';
    const fromPending = (await storage.pending(undefined, 1))[0] as StoredTask;
    fromPending.attempts = 99;
    const fromScheduled = (await scheduledTasks(storage, T, 1))[0] as StoredTask;
    fromScheduled.dueAt = null;
    expect(await storage.get(original.id)).toEqual(original);

    const [claimed] = await storage.claimDue({ owner: 'o', now: T, limit: 1, leaseMs: 1000 });
    (claimed as StoredTask).leaseOwner = 'thief';
    expect((await storage.get(original.id))?.leaseOwner).toBe('o');

    const audit = await storage.getStatusAudit(original.id);
    (audit[0] as { status: string }).status = 'failed';
    expect((await storage.getStatusAudit(original.id))[0]?.status).toBe('waiting');

    const logs = [log(original.id, T)];
    await storage.saveExecutionLogs(original.id, logs);
    (logs[0] as ExecutionLogEntry).message = 'changed';
    const stored = await storage.getExecutionLogs(original.id);
    expect(stored[0]?.message).toBe('m');
    (stored[0] as ExecutionLogEntry).message = 'changed again';
    expect((await storage.getExecutionLogs(original.id))[0]?.message).toBe('m');

    await storage.transition([
      {
        id: original.id,
        from: ['queued'],
        to: 'in-progress',
        at: T + 1,
        runAudit: { at: T + 1, status: 'in-progress', executionTimeMs: 0, error: null },
      },
    ]);
    const runs = await storage.getRunAudit(original.id);
    (runs[0] as { error: string | null }).error = 'changed';
    expect((await storage.getRunAudit(original.id))[0]?.error).toBeNull();
  });

  it('stores only the fields of StoredTask', async () => {
    const storage = await openStorage();
    const t = { ...task(), extra: 'not part of the record' };
    await storage.add([t]);
    expect(await storage.get(t.id)).not.toHaveProperty('extra');
  });

  it('throws StorageError once closed and works again after open', async () => {
    const storage = await openStorage();
    const t = task();
    await storage.add([t]);
    await storage.close();
    const calls: (() => Promise<unknown>)[] = [
      () => storage.add([task()]),
      () => storage.get(t.id),
      () => storage.getByTaskKey('k'),
      () => storage.update(t.id, {}),
      () => storage.remove(t.id),
      () => storage.transition([]),
      () => storage.claimDue({ owner: 'o', now: T, limit: 1, leaseMs: 1 }),
      () => storage.renewLeases('o', T, 1),
      () => storage.nextDueAt(),
      () => storage.pending(undefined, 1),
      () => scheduledTasks(storage, T, 1),
      () => storage.query({}),
      () => storage.count(),
      () => storage.getStatusAudit(t.id),
      () => storage.getRunAudit(t.id),
      () => storage.saveExecutionLogs(t.id, []),
      () => storage.getExecutionLogs(t.id),
      () => countExecutionLogs(storage, t.id),
      () => storage.taskTimeline({ from: T, to: T + 1, bucketMs: 1 }),
      () => storage.taskGroups({ groupBy: 'name' }),
      () => storage.cleanup({}),
      () => storage.notifications.subscribe(() => undefined),
      () => storage.notifications.notify({ kind: 'task-available' }),
    ];
    for (const call of calls) {
      await expect(call()).rejects.toMatchObject({ code: 'ERR_STORAGE', message: expect.stringContaining('closed') });
    }
    await storage.open();
    expect(await storage.get(t.id)).toEqual(t);
  });

  it('names the bad argument when rejecting input', async () => {
    const storage = await openStorage();
    await expect(storage.add([task(), { ...task(), auditLevel: 'loud' as 'full' }])).rejects.toThrow(/tasks\[1\]\.auditLevel/);
    await expect(storage.add([{ ...task(), attempts: -1 }])).rejects.toThrow(/tasks\[0\]\.attempts/);
    await expect(storage.pending(undefined, -1)).rejects.toThrow(/limit/);
    await expect(storage.getExecutionLogs(uuidv7(), 0, 1.5)).rejects.toThrow(/take/);
    await expect(storage.update(uuidv7(), { queue: '' })).rejects.toThrow(/patch\.queue/);
    await expect(storage.transition([{ id: uuidv7(), from: ['waiting'], to: 'queued', at: T, logs: [{} as ExecutionLogEntry] }])).rejects.toThrow(
      /changes\[0\]\.logs\[0\]\.id/,
    );
    expect((await storage.query({})).total).toBe(0);
  });

  it('rejects logs of an unknown task', async () => {
    const storage = await openStorage();
    const id = uuidv7();
    await expect(storage.saveExecutionLogs(id, [log(id, T)])).rejects.toMatchObject({ code: 'ERR_STORAGE' });
  });

  it('delivers notifications asynchronously to every engine sharing the instance', async () => {
    const storage = await openStorage();
    const engineA: StorageNotification[] = [];
    const engineB: StorageNotification[] = [];
    await storage.notifications.subscribe((n) => engineA.push(n));
    await storage.notifications.subscribe((n) => engineB.push(n));
    const sent: StorageNotification = { kind: 'task-available', dueAt: T };
    const pending = storage.notifications.notify(sent);
    expect(engineA).toHaveLength(0);
    await pending;
    await Promise.resolve();
    expect(engineA).toEqual([sent]);
    expect(engineB).toEqual([sent]);
    expect(engineA[0]).not.toBe(sent);
  });

  it('keeps index state consistent through a random workload', async () => {
    const storage = await openStorage();
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const queues = ['a', 'b', 'c'];
    const idList: string[] = [];
    for (let step = 0; step < 3000; step++) {
      const op = rand(6);
      const now = T + step;
      if (op === 0 || idList.length === 0) {
        const t = task({ createdAt: now, dueAt: now + rand(200), queue: queues[rand(3)] as string });
        idList.push(t.id);
        await storage.add([t]);
      } else if (op === 1) {
        await storage.claimDue({ owner: `o${rand(3)}`, now, limit: 1 + rand(3), leaseMs: 1 + rand(100), queues: [queues[rand(3)] as string] });
      } else if (op === 2) {
        const id = idList[rand(idList.length)] as string;
        await storage.transition([{ id, from: ['queued', 'in-progress'], to: rand(2) ? 'completed' : 'waiting', at: now, patch: { dueAt: now + rand(50), leaseOwner: null, leaseExpiresAt: null } }]);
      } else if (op === 3) {
        const owner = `o${rand(3)}`;
        const owned = await storage.query({ statuses: ['queued', 'in-progress'] }, { limit: 1_000_000 });
        const expected = owned.items.filter((t) => t.leaseOwner === owner).length;
        expect(await storage.renewLeases(owner, now, 1 + rand(100))).toBe(expected);
      } else if (op === 4) {
        await storage.update(idList[rand(idList.length)] as string, { queue: queues[rand(3)] as string, dueAt: now + rand(100) });
      } else {
        await storage.remove(idList[rand(idList.length)] as string);
      }
      if (step % 100 === 0) await expectConsistent(storage, now);
    }
    await expectConsistent(storage, T + 3000);
  });

  it('runs 200,000 tasks through add, claim and completion', async () => {
    const storage = await openStorage();
    const n = 200_000;
    for (let start = 0; start < n; start += 10_000) {
      const chunk: StoredTask[] = [];
      for (let i = start; i < start + 10_000; i++) {
        // 7919 is coprime with n, so due times are a permutation of 0..n-1.
        chunk.push(task({ createdAt: T + i, dueAt: T + ((i * 7919) % n), taskKey: i % 10 === 0 ? `key-${i}` : null }));
      }
      await storage.add(chunk, { audit: true });
    }
    expect(await storage.nextDueAt()).toBe(T);
    let claimedTotal = 0;
    let lastDue = -Infinity;
    const seen = new Set<string>();
    for (;;) {
      const claimed = await storage.claimDue({ owner: 'bulk', now: T + n, limit: 1000, leaseMs: 60_000 });
      if (claimed.length === 0) break;
      for (const t of claimed) {
        expect(t.dueAt as number).toBeGreaterThanOrEqual(lastDue);
        lastDue = t.dueAt as number;
        seen.add(t.id);
      }
      claimedTotal += claimed.length;
      const started = await storage.transition(
        claimed.map((t) => ({ id: t.id, from: ['queued' as const], owner: 'bulk', to: 'in-progress' as const, at: T + n, audit: { error: null } })),
      );
      const done = await storage.transition(
        claimed.map((t) => ({
          id: t.id,
          from: ['in-progress' as const],
          owner: 'bulk',
          to: 'completed' as const,
          at: T + n + 1,
          patch: { leaseOwner: null, leaseExpiresAt: null, dueAt: null, executionTimeMs: 1 },
          audit: { error: null },
        })),
      );
      expect(started.every(Boolean) && done.every(Boolean)).toBe(true);
    }
    expect(claimedTotal).toBe(n);
    expect(seen.size).toBe(n);
    expect(await storage.count()).toEqual([{ queue: 'default', status: 'completed', count: n }]);
    expect(await storage.nextDueAt()).toBeUndefined();
    expect(await storage.pending(undefined, 10)).toEqual([]);
    expect(await storage.renewLeases('bulk', T + n, 1000)).toBe(0);
    const sample = (await storage.getByTaskKey('key-12340')) as StoredTask;
    expect(sample.status).toBe('completed');
    expect((await storage.getStatusAudit(sample.id)).map((a) => a.status)).toEqual(['waiting', 'in-progress', 'completed']);
    expect(await storage.cleanup({ completedBefore: T + n + 2 })).toMatchObject({ tasks: n });
    expect((await storage.query({})).total).toBe(0);
  }, 120_000);
});

/** Compares the indexed answers with answers computed by brute force over `query`. */
async function expectConsistent(storage: TaskStorage, now: number): Promise<void> {
  const all = (await storage.query({}, { limit: 1_000_000 })).items;
  const waitingLike = all.filter((t) => (t.status === 'waiting' || t.status === 'service-stopped') && t.dueAt !== null);
  const leased = all.filter((t) => (t.status === 'queued' || t.status === 'in-progress') && t.leaseExpiresAt !== null);
  const times = [...waitingLike.map((t) => t.dueAt as number), ...leased.map((t) => t.leaseExpiresAt as number)];
  expect(await storage.nextDueAt()).toBe(times.length === 0 ? undefined : Math.min(...times));
  for (const queue of ['a', 'b', 'c']) {
    const inQueue = [
      ...waitingLike.filter((t) => t.queue === queue).map((t) => t.dueAt as number),
      ...leased.filter((t) => t.queue === queue).map((t) => t.leaseExpiresAt as number),
    ];
    expect(await storage.nextDueAt([queue])).toBe(inQueue.length === 0 ? undefined : Math.min(...inQueue));
  }
  const active = all
    .filter((t) => t.status !== 'completed' && t.status !== 'failed' && t.status !== 'cancelled')
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  expect((await storage.pending(undefined, 1_000_000)).map((t) => t.id)).toEqual(active.map((t) => t.id));
  const scheduled = all
    .filter((t) => t.status === 'waiting' && t.dueAt !== null && t.dueAt <= now)
    .sort((a, b) => (a.dueAt as number) - (b.dueAt as number) || (a.id < b.id ? -1 : 1));
  expect((await scheduledTasks(storage, now, 1_000_000)).map((t) => t.id)).toEqual(scheduled.map((t) => t.id));
}
