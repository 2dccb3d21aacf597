import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, StorageError, TaskKeyConflictError, uuidv7, type StoredTask } from 'evertask';
import { T0, makeTask } from '../helpers.js';
import { useFreshStorage } from '../fresh-storage.js';

describe('SQLite queries: tasks (insert, patch, remove)', () => {
  const fixture = useFreshStorage();

  it('adds and reads back every field unchanged', async () => {
    const { storage } = fixture;
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
    const { storage } = fixture;
    const a = makeTask();
    const b = makeTask({ status: 'queued' });
    await storage.add([a, b], { audit: true });
    expect(await storage.getStatusAudit(a.id)).toEqual([{ taskId: a.id, status: 'waiting', at: T0, error: null, actor: null }]);
    expect(await storage.getStatusAudit(b.id)).toEqual([{ taskId: b.id, status: 'queued', at: T0, error: null, actor: null }]);
    const c = makeTask();
    await storage.add([c]);
    expect(await storage.getStatusAudit(c.id)).toEqual([]);
  });

  it('add is all or none and names the conflicting task key', async () => {
    const { storage } = fixture;
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
    const { storage } = fixture;
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
    const { storage } = fixture;
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
});
