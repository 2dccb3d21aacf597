import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import {
  InvalidArgumentError,
  StorageError,
  TaskKeyConflictError,
  uuidv7,
  type ExecutionLogEntry,
  type StoredTask,
} from 'evertask';
import { SqliteStorage } from '../src/index.js';
import { T0, makeTask, tempDir } from './helpers.js';

function log(taskId: string, at: number, sequence: number, message = `m${sequence}`): ExecutionLogEntry {
  return { id: uuidv7(at), taskId, at, level: 'information', message, exception: null, sequence };
}

describe('SqliteStorage (adapter behaviour)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let storage: SqliteStorage;

  beforeEach(async () => {
    tmp = tempDir();
    storage = new SqliteStorage({ filename: tmp.file() });
    await storage.open();
  });

  afterEach(async () => {
    await storage.close();
    tmp.cleanup();
  });

  it('declares its capabilities: a file is persistent and shareable, :memory: is neither', async () => {
    expect(storage.capabilities).toEqual({
      persistent: true,
      multiProcess: true,
      notifications: false,
      transactionalDispatch: false,
    });
    const memory = new SqliteStorage({ filename: ':memory:' });
    expect(memory.capabilities.persistent).toBe(false);
    expect(memory.capabilities.multiProcess).toBe(false);
  });

  it('adds and reads back every field unchanged', async () => {
    const task = makeTask({
      taskKey: 'k1',
      scheduledAt: T0 + 5,
      dueAt: T0 + 5,
      attempts: 2,
      lastExecutionAt: T0 + 1,
      executionTimeMs: 12.5,
      error: 'Error: boom',
      leaseOwner: 'me',
      leaseExpiresAt: T0 + 100,
      recoveryFailures: 1,
      recurring: '{"cron":"* * * * *"}',
      recurringInfo: 'every minute',
      runCount: 3,
      maxRuns: 10,
      runUntil: T0 + 1_000_000,
      lastOutcome: 'failed',
      auditLevel: 'minimal',
    });
    await storage.add([task]);
    expect(await storage.get(task.id)).toEqual(task);
    expect(await storage.getByTaskKey('k1')).toEqual(task);
    expect(await storage.get(uuidv7())).toBeUndefined();
    expect(await storage.getByTaskKey('nope')).toBeUndefined();
  });

  it('add writes a status-audit row per task when asked', async () => {
    const a = makeTask();
    const b = makeTask({ status: 'queued' });
    await storage.add([a, b], { audit: true });
    expect(await storage.getStatusAudit(a.id)).toEqual([{ taskId: a.id, status: 'waiting', at: T0, error: null }]);
    expect(await storage.getStatusAudit(b.id)).toEqual([{ taskId: b.id, status: 'queued', at: T0, error: null }]);
    const c = makeTask();
    await storage.add([c]);
    expect(await storage.getStatusAudit(c.id)).toEqual([]);
  });

  it('add is all or none and names the conflicting task key', async () => {
    await storage.add([makeTask({ taskKey: 'taken' })]);
    const fresh = makeTask({ taskKey: 'fresh' });
    const error = await storage.add([fresh, makeTask({ taskKey: 'taken' })]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskKeyConflictError);
    expect((error as TaskKeyConflictError).taskKey).toBe('taken');
    expect(await storage.get(fresh.id)).toBeUndefined();

    const inBatch = await storage.add([makeTask({ taskKey: 'dup' }), makeTask({ taskKey: 'dup' })]).catch((e: unknown) => e);
    expect(inBatch).toBeInstanceOf(TaskKeyConflictError);
    expect((inBatch as TaskKeyConflictError).taskKey).toBe('dup');
    expect(await storage.getByTaskKey('dup')).toBeUndefined();

    // null keys never conflict
    await storage.add([makeTask(), makeTask()]);
  });

  it('add rejects a duplicate id with a StorageError, and invalid tasks with InvalidArgumentError', async () => {
    const task = makeTask();
    await storage.add([task]);
    await expect(storage.add([task])).rejects.toBeInstanceOf(StorageError);
    await expect(storage.add([makeTask({ status: 'bogus' as never })])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(storage.add([makeTask({ createdAt: Number.NaN })])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(storage.add([makeTask({ name: '' })])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(storage.add('x' as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(storage.add([makeTask()], { tx: {} })).rejects.toBeInstanceOf(InvalidArgumentError);
    await storage.add([]);
  });

  it('update changes definition fields, honours ifStatus, never the status', async () => {
    const task = makeTask();
    await storage.add([task]);
    expect(await storage.update(task.id, { payload: '{"x":1}', dueAt: T0 + 9, maxRuns: null })).toBe(true);
    let stored = (await storage.get(task.id)) as StoredTask;
    expect(stored.payload).toBe('{"x":1}');
    expect(stored.dueAt).toBe(T0 + 9);
    expect(stored.status).toBe('waiting');
    expect(await storage.update(task.id, { payload: 'no' }, ['completed'])).toBe(false);
    expect(await storage.update(task.id, { payload: 'yes' }, ['waiting', 'queued'])).toBe(true);
    expect(await storage.update(task.id, {}, [])).toBe(false);
    expect(await storage.update(task.id, {})).toBe(true);
    expect(await storage.update(uuidv7(), { payload: 'x' })).toBe(false);
    stored = (await storage.get(task.id)) as StoredTask;
    expect(stored.payload).toBe('yes');
    await expect(storage.update(task.id, { attempts: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('transition applies guards (status and lease owner) and writes audit, run audit and logs only when applied', async () => {
    const task = makeTask({ status: 'queued', leaseOwner: 'a', leaseExpiresAt: T0 + 1000 });
    await storage.add([task]);
    const results = await storage.transition([
      { id: task.id, from: ['queued'], owner: 'b', to: 'in-progress', at: T0 + 1, audit: { error: null } },
      { id: task.id, from: ['waiting'], to: 'in-progress', at: T0 + 1, audit: { error: null } },
      {
        id: task.id,
        from: ['queued'],
        owner: 'a',
        to: 'in-progress',
        at: T0 + 2,
        patch: { attempts: 1 },
        audit: { error: null },
        logs: [log(task.id, T0 + 2, 0)],
      },
      {
        id: task.id,
        from: ['in-progress'],
        owner: 'a',
        to: 'completed',
        at: T0 + 3,
        patch: { leaseOwner: null, leaseExpiresAt: null, executionTimeMs: 1.5, lastExecutionAt: T0 + 3, dueAt: null },
        audit: { error: null },
        runAudit: { at: T0 + 3, status: 'completed', executionTimeMs: 1.5, error: null },
        logs: [log(task.id, T0 + 3, 1)],
      },
      { id: task.id, from: ['in-progress', 'queued'], to: 'cancelled', at: T0 + 4, audit: { error: 'late' } },
      { id: uuidv7(), from: ['waiting'], to: 'queued', at: T0 + 5 },
      { id: task.id, from: [], to: 'failed', at: T0 + 6 },
    ]);
    expect(results).toEqual([false, false, true, true, false, false, false]);
    const stored = (await storage.get(task.id)) as StoredTask;
    expect(stored).toMatchObject({
      status: 'completed',
      updatedAt: T0 + 3,
      attempts: 1,
      leaseOwner: null,
      leaseExpiresAt: null,
      executionTimeMs: 1.5,
      dueAt: null,
    });
    expect((await storage.getStatusAudit(task.id)).map((a) => a.status)).toEqual(['in-progress', 'completed']);
    expect(await storage.getRunAudit(task.id)).toEqual([
      { taskId: task.id, at: T0 + 3, status: 'completed', executionTimeMs: 1.5, error: null },
    ]);
    expect((await storage.getExecutionLogs(task.id)).map((l) => l.message)).toEqual(['m0', 'm1']);
    await expect(storage.transition([{ id: task.id, from: ['waiting'], to: 'nope' as never, at: T0 }])).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    for (const priorAudits of ['x', [{ status: 'nope', at: T0, error: null }], [{ status: 'queued', at: 'soon', error: null }], [{ status: 'queued', at: T0, error: 1 }]]) {
      await expect(
        storage.transition([{ id: task.id, from: ['completed'], to: 'completed', at: T0, priorAudits: priorAudits as never }]),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    expect(await storage.getStatusAudit(task.id)).toHaveLength(2);
  });

  it('transition batch is one transaction: a failing write rolls back the whole batch', async () => {
    const a = makeTask();
    const b = makeTask();
    await storage.add([a, b]);
    const duplicateLog = log(a.id, T0, 0);
    await storage.saveExecutionLogs(a.id, [duplicateLog]);
    await expect(
      storage.transition([
        { id: b.id, from: ['waiting'], to: 'cancelled', at: T0 + 1, audit: { error: null } },
        { id: a.id, from: ['waiting'], to: 'cancelled', at: T0 + 1, logs: [duplicateLog] },
      ]),
    ).rejects.toBeInstanceOf(StorageError);
    expect((await storage.get(b.id))?.status).toBe('waiting');
    expect(await storage.getStatusAudit(b.id)).toEqual([]);
  });

  it('claimDue takes due and lease-expired tasks, earliest first, and never twice', async () => {
    const due1 = makeTask({ dueAt: T0 + 10 });
    const due0 = makeTask({ dueAt: T0 + 5, status: 'service-stopped' });
    const future = makeTask({ dueAt: T0 + 10_000 });
    const expired = makeTask({ status: 'in-progress', leaseOwner: 'dead', leaseExpiresAt: T0 + 7, dueAt: null });
    const live = makeTask({ status: 'queued', leaseOwner: 'alive', leaseExpiresAt: T0 + 10_000 });
    const done = makeTask({ status: 'completed', dueAt: T0 });
    const otherQueue = makeTask({ queue: 'mail', dueAt: T0 + 1 });
    await storage.add([due1, due0, future, expired, live, done, otherQueue]);

    const first = await storage.claimDue({ owner: 'me', now: T0 + 100, limit: 3, leaseMs: 500, queues: ['default'] });
    expect(first.map((t) => t.id)).toEqual([due0.id, expired.id, due1.id]);
    for (const t of first) {
      expect(t).toMatchObject({ status: 'queued', leaseOwner: 'me', leaseExpiresAt: T0 + 600, updatedAt: T0 + 100 });
    }
    expect(await storage.claimDue({ owner: 'other', now: T0 + 100, limit: 10, leaseMs: 500, queues: ['default'] })).toEqual([]);
    const rest = await storage.claimDue({ owner: 'other', now: T0 + 100, limit: 10, leaseMs: 500 });
    expect(rest.map((t) => t.id)).toEqual([otherQueue.id]);
    expect(await storage.claimDue({ owner: 'x', now: T0 + 100, limit: 10, leaseMs: 500, queues: [] })).toEqual([]);
    expect(await storage.claimDue({ owner: 'x', now: T0 + 100, limit: 0, leaseMs: 500 })).toEqual([]);
    await expect(storage.claimDue({ owner: '', now: T0, limit: 1, leaseMs: 5 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(storage.claimDue({ owner: 'a', now: T0, limit: 1, leaseMs: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('renewLeases extends the leases of one owner; nextDueAt sees due times and lease expiries', async () => {
    expect(await storage.nextDueAt()).toBeUndefined();
    const a = makeTask({ status: 'queued', leaseOwner: 'me', leaseExpiresAt: T0 + 50 });
    const b = makeTask({ status: 'in-progress', leaseOwner: 'me', leaseExpiresAt: T0 + 60 });
    const c = makeTask({ status: 'queued', leaseOwner: 'you', leaseExpiresAt: T0 + 70, queue: 'q2' });
    const w = makeTask({ dueAt: T0 + 80, queue: 'q3' });
    await storage.add([a, b, c, w]);
    expect(await storage.nextDueAt()).toBe(T0 + 50);
    expect(await storage.renewLeases('me', T0 + 10, 1000)).toBe(2);
    expect((await storage.get(a.id))?.leaseExpiresAt).toBe(T0 + 1010);
    expect((await storage.get(c.id))?.leaseExpiresAt).toBe(T0 + 70);
    expect(await storage.nextDueAt()).toBe(T0 + 70);
    expect(await storage.nextDueAt(['q3'])).toBe(T0 + 80);
    expect(await storage.nextDueAt(['nothing'])).toBeUndefined();
    expect(await storage.nextDueAt([])).toBeUndefined();
    expect(await storage.renewLeases('nobody', T0, 10)).toBe(0);
  });

  it('pending pages non-terminal tasks by (createdAt, id); scheduled lists waiting tasks by due time', async () => {
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

  it('execution logs are ordered by (at, sequence, id), paged and counted; remove cascades', async () => {
    const task = makeTask();
    await storage.add([task], { audit: true });
    await storage.saveExecutionLogs(task.id, [log(task.id, T0 + 2, 0, 'c'), log(task.id, T0 + 1, 1, 'b'), log(task.id, T0 + 1, 0, 'a')]);
    await storage.saveExecutionLogs(task.id, []);
    expect((await storage.getExecutionLogs(task.id)).map((l) => l.message)).toEqual(['a', 'b', 'c']);
    expect((await storage.getExecutionLogs(task.id, 1, 1)).map((l) => l.message)).toEqual(['b']);
    expect(await storage.getExecutionLogs(task.id, 0, 0)).toEqual([]);
    expect(await storage.countExecutionLogs(task.id)).toBe(3);
    await expect(storage.saveExecutionLogs(uuidv7(), [log(task.id, T0, 0)])).rejects.toBeInstanceOf(StorageError);

    expect(await storage.remove(task.id)).toBe(true);
    expect(await storage.remove(task.id)).toBe(false);
    expect(await storage.countExecutionLogs(task.id)).toBe(0);
    expect(await storage.getStatusAudit(task.id)).toEqual([]);
  });

  it('cleanup removes old finished one-off tasks and old history, never recurring or active tasks', async () => {
    const oldDone = makeTask({ status: 'completed', updatedAt: T0 + 10 });
    const newDone = makeTask({ status: 'completed', updatedAt: T0 + 1000 });
    const oldFailed = makeTask({ status: 'failed', updatedAt: T0 + 10 });
    const oldCancelled = makeTask({ status: 'cancelled', updatedAt: T0 + 10 });
    const recurringDone = makeTask({ status: 'completed', updatedAt: T0 + 10, recurring: '{}' });
    const active = makeTask({ status: 'waiting', updatedAt: T0 + 10 });
    await storage.add([oldDone, newDone, oldFailed, oldCancelled, recurringDone, active], { audit: true });
    await storage.saveExecutionLogs(active.id, [log(active.id, T0 + 5, 0), log(active.id, T0 + 500, 1)]);

    expect(await storage.cleanup({ completedBefore: T0 + 100 })).toEqual({ tasks: 1, audits: 0, logs: 0 });
    expect(await storage.get(oldDone.id)).toBeUndefined();
    expect(await storage.cleanup({ failedBefore: T0 + 100, logsBefore: T0 + 100 })).toEqual({ tasks: 2, audits: 0, logs: 1 });
    expect(await storage.cleanup({ auditBefore: T0 + 1 })).toEqual({ tasks: 0, audits: 3, logs: 0 });
    expect(await storage.get(recurringDone.id)).toBeDefined();
    expect(await storage.get(active.id)).toBeDefined();
    expect(await storage.get(newDone.id)).toBeDefined();
    expect(await storage.countExecutionLogs(active.id)).toBe(1);
    expect(await storage.cleanup({})).toEqual({ tasks: 0, audits: 0, logs: 0 });
  });

  it('cleanup deletes large volumes in chunks', async () => {
    const many = Array.from({ length: 4500 }, () => makeTask({ status: 'completed', updatedAt: T0 }));
    await storage.add(many, { audit: true });
    expect(await storage.cleanup({ completedBefore: T0 + 1 })).toEqual({ tasks: 4500, audits: 0, logs: 0 });
    expect((await storage.query({})).total).toBe(0);
  });

  it('validates arguments before touching SQLite', async () => {
    await expect(storage.get(42 as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(storage.pending(undefined, -1)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(storage.scheduled(Number.NaN, 1)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(storage.getExecutionLogs('x', 1.5)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(storage.cleanup({ logsBefore: 'yesterday' as never })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(storage.transition('x' as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await storage.transition([])).toEqual([]);
  });

  it('rejects bad options with InvalidArgumentError naming the option', () => {
    expect(() => new SqliteStorage({ filename: '' })).toThrow(/filename/);
    expect(() => new SqliteStorage({ filename: 'x.db', tablePrefix: 'bad-prefix;' })).toThrow(/tablePrefix/);
    expect(() => new SqliteStorage({ filename: 'x.db', busyTimeoutMs: -1 })).toThrow(/busyTimeoutMs/);
    expect(() => new SqliteStorage({ filename: 'x.db', synchronous: 'off' as never })).toThrow(/synchronous/);
    expect(() => new SqliteStorage({ filename: 'x.db', database: {} } as never)).toThrow(InvalidArgumentError);
  });

  it('reads back fractional times unchanged and returns numbers from a safe-integers database', async () => {
    const task = makeTask({ createdAt: T0 + 0.5, dueAt: T0 + 0.25 });
    await storage.add([task]);
    const [claimed] = await storage.claimDue({ owner: 'o', now: T0 + 1.5, limit: 1, leaseMs: 2.25 });
    expect(claimed).toMatchObject({ id: task.id, createdAt: T0 + 0.5, leaseExpiresAt: T0 + 3.75 });

    const db = new Database(':memory:');
    db.defaultSafeIntegers(true);
    const safe = new SqliteStorage({ database: db });
    await safe.open();
    const other = makeTask({ attempts: 3 });
    await safe.add([other]);
    expect(await safe.get(other.id)).toEqual(other);
    expect(await safe.countExecutionLogs(other.id)).toBe(0);
    expect(await safe.count()).toEqual([{ queue: 'default', status: 'waiting', count: 1 }]);
    await safe.close();
    db.close();
  });

  it('throws a StorageError when used before open() or after close(), and reopens', async () => {
    const other = new SqliteStorage({ filename: tmp.file('other.db') });
    await expect(other.get(uuidv7())).rejects.toThrow(/not open/);
    await other.open();
    await other.open();
    const task = makeTask();
    await other.add([task]);
    await other.close();
    await other.close();
    await expect(other.get(task.id)).rejects.toBeInstanceOf(StorageError);
    await other.open();
    expect((await other.get(task.id))?.id).toBe(task.id);
    await other.close();
  });

  it('works on a handed-in database, with a table prefix, and never closes it', async () => {
    const db = new Database(tmp.file('shared.db'));
    const a = new SqliteStorage({ database: db, tablePrefix: 'app1_' });
    const b = new SqliteStorage({ database: db, tablePrefix: 'app2_' });
    await a.open();
    await b.open();
    const task = makeTask();
    await a.add([task]);
    expect(await b.get(task.id)).toBeUndefined();
    expect((await a.get(task.id))?.id).toBe(task.id);
    await a.close();
    await b.close();
    expect(db.open).toBe(true);
    expect(db.prepare('SELECT COUNT(*) AS n FROM app1_tasks').get()).toEqual({ n: 1 });
    db.close();
  });
});
