import { expect } from 'vitest';
import { uuidv7 } from '../../ids.js';
import type { StoredTask, TaskPatch, TaskStatus } from '../../ports/task-record.js';
import { allowedSources } from '../../state-machine.js';
import { T, LEASE, STORED_TASK_KEYS, task, log, ids, rejectsWithCode, claim } from './fixtures.js';
import { countExecutionLogs } from '../../storage/derived-reads.js';
import type { Register } from './fixtures.js';

// ---- seed --------------------------------------------------------------------------------------

export function registerSeedTests(test: Register): void {
  test('adds and retrieves a task', async (s) => {
    const t = task({ name: 'TestTask' });
    await s.add([t]);
    const got = await s.get(t.id);
    expect(got).toBeDefined();
    expect(got?.name).toBe('TestTask');
    expect(got?.id).toBe(t.id);
  });

  test('updates a task status', async (s) => {
    const t = task();
    await s.add([t]);
    const steps: TaskStatus[] = ['queued', 'in-progress', 'completed'];
    for (const [i, to] of steps.entries()) {
      expect(await s.transition([{ id: t.id, from: allowedSources(to), to, at: T + i + 1 }])).toEqual([true]);
      expect((await s.get(t.id))?.status).toBe(to);
    }
    expect((await s.get(t.id))?.updatedAt).toBe(T + 3);
  });

  test('retrieves pending tasks', async (s) => {
    const t1 = task();
    const t2 = task({ status: 'completed' });
    await s.add([t1]);
    await s.add([t2]);
    const pending = await s.pending(undefined, 100);
    expect(ids(pending)).toEqual([t1.id]);
  });
}

// ---- add ---------------------------------------------------------------------------------------

function fullTask(): StoredTask {
  return task({
    name: 'round-trip',
    payload: '{ "b": 1,  "a": ["é", "😀", "\\"quoted\\"", "line\\nbreak"], "z": null }',
    status: 'in-progress',
    queue: 'reports',
    taskKey: 'key-Ünïcode-1',
    auditLevel: 'errors-only',
    createdAt: T + 1,
    updatedAt: T + 2,
    scheduledAt: T + 3,
    dueAt: T + 4,
    attempts: 3,
    lastExecutionAt: T + 5,
    executionTimeMs: 12.25,
    error: `Error: boom\n    at handler (file.ts:1:1)\n${'x'.repeat(5000)}`,
    leaseOwner: 'instance-1',
    leaseExpiresAt: T + 6,
    recoveryFailures: 2,
    recurring: '{"cron":"0 * * * *","timeZone":"Europe/Rome"}',
    recurringInfo: 'every hour',
    runCount: 7,
    maxRuns: 10,
    runUntil: Date.UTC(2100, 0, 1),
    lastOutcome: 'failed',
    traceContext: '{"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","tracestate":"vendor=a b,x=é"}',
  });
}

function minimalTask(): StoredTask {
  return task({ status: 'waiting', auditLevel: 'none', dueAt: null, payload: '[]' });
}

export function registerAddTests(test: Register): void {
  test('round-trips every field exactly', async (s) => {
    const full = fullTask();
    const minimal = minimalTask();
    await s.add([full, minimal]);
    for (const expected of [full, minimal]) {
      const got = await s.get(expected.id);
      expect(got).toEqual(expected);
      expect(Object.keys(got ?? {}).sort()).toEqual(STORED_TASK_KEYS);
    }
    expect(await s.getByTaskKey('key-Ünïcode-1')).toEqual(full);
    const queried = await s.query({ ids: [full.id, minimal.id] }, { sortBy: 'createdAt', descending: false });
    expect(queried.items).toEqual([minimal, full]);
  });

  test('adds a batch of 1,000 tasks', async (s) => {
    const batch = Array.from({ length: 1000 }, (_, i) =>
      task({ createdAt: T + i, taskKey: `batch-${i}`, payload: JSON.stringify({ i }) }),
    );
    await s.add(batch);
    expect((await s.query({}, { limit: 1 })).total).toBe(1000);
    for (const i of [0, 1, 499, 998, 999]) {
      const expected = batch[i] as StoredTask;
      expect(await s.get(expected.id)).toEqual(expected);
      expect((await s.getByTaskKey(`batch-${i}`))?.id).toBe(expected.id);
    }
    expect(ids(await s.pending(undefined, 1000))).toEqual(ids(batch));
  });

  test('add is all-or-none when a task key repeats within the batch', async (s) => {
    const a = task({ taskKey: 'k1' });
    const b = task({ taskKey: 'k2' });
    const c = task({ taskKey: 'k1' });
    await rejectsWithCode(s.add([a, b, c]), 'ERR_TASK_KEY_CONFLICT');
    for (const t of [a, b, c]) expect(await s.get(t.id)).toBeUndefined();
    expect(await s.getByTaskKey('k2')).toBeUndefined();
    expect((await s.query({})).total).toBe(0);
  });

  test('add is all-or-none when a task key is already stored', async (s) => {
    const existing = task({ taskKey: 'taken' });
    await s.add([existing]);
    const a = task({ taskKey: 'free' });
    const b = task({ taskKey: 'taken' });
    let caught: unknown;
    await s.add([a, b]).catch((error: unknown) => (caught = error));
    expect(caught).toMatchObject({ code: 'ERR_TASK_KEY_CONFLICT', taskKey: 'taken' });
    expect(await s.get(a.id)).toBeUndefined();
    expect(await s.get(b.id)).toBeUndefined();
    expect(await s.getByTaskKey('free')).toBeUndefined();
    expect(await s.getByTaskKey('taken')).toEqual(existing);
  });

  test('rejects a duplicate id, all or none', async (s) => {
    const existing = task({ name: 'original' });
    await s.add([existing]);
    const fresh = task();
    await rejectsWithCode(s.add([fresh, { ...existing, name: 'impostor' }]), 'ERR_STORAGE');
    expect(await s.get(fresh.id)).toBeUndefined();
    expect((await s.get(existing.id))?.name).toBe('original');
    const twin = task();
    await rejectsWithCode(s.add([twin, { ...twin }]), 'ERR_STORAGE');
    expect(await s.get(twin.id)).toBeUndefined();
  });

  test('rejects an invalid task without storing anything', async (s) => {
    const valid = task();
    const bad = { ...task(), status: 'pending' as TaskStatus };
    await rejectsWithCode(s.add([valid, bad]), 'ERR_INVALID_ARGUMENT');
    expect(await s.get(valid.id)).toBeUndefined();
    expect(await s.get(bad.id)).toBeUndefined();
  });

  test('allows any number of tasks without a task key', async (s) => {
    const batch = [task(), task(), task()];
    await s.add(batch);
    await s.add([task()]);
    expect((await s.query({})).total).toBe(4);
  });

  test('task keys are case-sensitive', async (s) => {
    const lower = task({ taskKey: 'report' });
    const upper = task({ taskKey: 'Report' });
    await s.add([lower]);
    await s.add([upper]);
    expect((await s.getByTaskKey('report'))?.id).toBe(lower.id);
    expect((await s.getByTaskKey('Report'))?.id).toBe(upper.id);
    expect(await s.getByTaskKey('REPORT')).toBeUndefined();
  });

  test('writes one status-audit row per task when asked', async (s) => {
    const a = task({ status: 'waiting' });
    const b = task({ status: 'queued', createdAt: T + 5, leaseOwner: 'me', leaseExpiresAt: T + LEASE });
    const silent = task();
    await s.add([a, b], { audit: true });
    await s.add([silent]);
    expect(await s.getStatusAudit(a.id)).toEqual([{ taskId: a.id, status: 'waiting', at: T, error: null, actor: null }]);
    expect(await s.getStatusAudit(b.id)).toEqual([{ taskId: b.id, status: 'queued', at: T + 5, error: null, actor: null }]);
    expect(await s.getStatusAudit(silent.id)).toEqual([]);
  });

  test('exactly one of 20 concurrent adds with one task key succeeds', async (s) => {
    const contenders = Array.from({ length: 20 }, () => task({ taskKey: 'race' }));
    const results = await Promise.allSettled(contenders.map((t) => s.add([t])));
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [contenders[i] as StoredTask] : []));
    expect(won).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'ERR_TASK_KEY_CONFLICT', taskKey: 'race' });
    }
    expect((await s.getByTaskKey('race'))?.id).toBe(won[0]?.id);
    expect((await s.query({ taskKey: 'race' })).total).toBe(1);
  });
}

// ---- get, update, remove -----------------------------------------------------------------------

export function registerCrudTests(test: Register): void {
  test('get returns undefined for an unknown id', async (s) => {
    await s.add([task()]);
    expect(await s.get(uuidv7())).toBeUndefined();
  });

  test('getByTaskKey finds the task by its key', async (s) => {
    const keyed = task({ taskKey: 'welcome-42' });
    await s.add([task(), keyed, task({ taskKey: 'welcome-43' })]);
    expect(await s.getByTaskKey('welcome-42')).toEqual(keyed);
    expect(await s.getByTaskKey('welcome-4')).toBeUndefined();
  });

  test('update changes definition fields and keeps the status', async (s) => {
    const t = task({ status: 'waiting', taskKey: 'upd' });
    await s.add([t]);
    const patch: TaskPatch = {
      payload: '{"v":2}',
      queue: 'other',
      auditLevel: 'minimal',
      scheduledAt: T + 100,
      dueAt: T + 100,
      recurring: '{"every":"1h"}',
      recurringInfo: 'every hour',
      maxRuns: 5,
      runUntil: T + 1_000_000,
      runCount: 2,
    };
    expect(await s.update(t.id, patch)).toBe(true);
    const got = await s.get(t.id);
    expect(got).toEqual({ ...t, ...patch, updatedAt: got?.updatedAt });
    expect(got?.status).toBe('waiting');
  });

  test('update refuses to change the trace context, which stays as dispatched', async (s) => {
    const traceContext = '{"traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}';
    const t = task({ status: 'waiting', traceContext });
    await s.add([t]);
    await rejectsWithCode(s.update(t.id, { traceContext: null } as unknown as TaskPatch), 'ERR_INVALID_ARGUMENT');
    expect(await s.update(t.id, { payload: '{"v":3}' })).toBe(true);
    expect((await s.get(t.id))?.traceContext).toBe(traceContext);
  });

  test('update with ifStatus applies only in those statuses', async (s) => {
    const t = task({ status: 'in-progress', leaseOwner: 'w', leaseExpiresAt: T + LEASE });
    await s.add([t]);
    expect(await s.update(t.id, { payload: '{"v":2}' }, ['waiting', 'queued'])).toBe(false);
    expect((await s.get(t.id))?.payload).toBe('{}');
    expect(await s.update(t.id, { payload: '{"v":3}' }, ['in-progress'])).toBe(true);
    expect((await s.get(t.id))?.payload).toBe('{"v":3}');
  });

  test('update returns false for an unknown task', async (s) => {
    expect(await s.update(uuidv7(), { payload: '{}' })).toBe(false);
    expect((await s.query({})).total).toBe(0);
  });

  test('update of dueAt and queue is seen by claimDue and nextDueAt', async (s) => {
    const t = task({ dueAt: T + 10, queue: 'a' });
    await s.add([t]);
    expect(await s.update(t.id, { dueAt: T + 1000 })).toBe(true);
    expect(await claim(s, T + 500)).toEqual([]);
    expect(await s.nextDueAt()).toBe(T + 1000);
    expect(await s.update(t.id, { dueAt: T + 100, queue: 'b' })).toBe(true);
    expect(await s.nextDueAt(['a'])).toBeUndefined();
    expect(await claim(s, T + 500, { queues: ['a'] })).toEqual([]);
    expect(ids(await claim(s, T + 500, { queues: ['b'] }))).toEqual([t.id]);
  });

  test('remove deletes the task with its history and frees its key', async (s) => {
    const t = task({ taskKey: 'rm-key' });
    const other = task({ dueAt: null });
    await s.add([t, other], { audit: true });
    await s.transition([
      {
        id: t.id,
        from: ['waiting'],
        to: 'waiting',
        at: T + 1,
        audit: { error: null },
        runAudit: { at: T + 1, status: 'completed', executionTimeMs: 5, error: null },
        logs: [log(t.id, T + 1, 0)],
      },
    ]);
    await s.saveExecutionLogs(t.id, [log(t.id, T + 2, 1)]);
    await s.saveExecutionLogs(other.id, [log(other.id, T + 2, 0)]);

    expect(await s.remove(t.id)).toBe(true);
    expect(await s.get(t.id)).toBeUndefined();
    expect(await s.getByTaskKey('rm-key')).toBeUndefined();
    expect(await s.getStatusAudit(t.id)).toEqual([]);
    expect(await s.getRunAudit(t.id)).toEqual([]);
    expect(await s.getExecutionLogs(t.id)).toEqual([]);
    expect(await countExecutionLogs(s, t.id)).toBe(0);
    expect(await s.nextDueAt()).toBeUndefined();
    expect(await claim(s, T + 10)).toEqual([]);
    expect(ids(await s.pending(undefined, 10))).toEqual([other.id]);
    expect(await s.remove(t.id)).toBe(false);

    expect(await s.getStatusAudit(other.id)).toHaveLength(1);
    expect(await countExecutionLogs(s, other.id)).toBe(1);
    const successor = task({ taskKey: 'rm-key' });
    await s.add([successor]);
    expect((await s.getByTaskKey('rm-key'))?.id).toBe(successor.id);
  });

  test('remove with ifStatus deletes only a task in one of those statuses', async (s) => {
    const done = task({ status: 'completed', dueAt: null });
    const waiting = task();
    await s.add([done, waiting], { audit: true });
    expect(await s.remove(waiting.id, ['completed', 'failed', 'cancelled'])).toBe(false);
    expect((await s.get(waiting.id))?.status).toBe('waiting');
    expect(await s.getStatusAudit(waiting.id)).toHaveLength(1);
    expect(await s.remove(done.id, [])).toBe(false);
    expect(await s.get(done.id)).toBeDefined();
    expect(await s.remove(done.id, ['failed', 'completed'])).toBe(true);
    expect(await s.get(done.id)).toBeUndefined();
    expect(await s.getStatusAudit(done.id)).toEqual([]);
    expect(await s.remove(done.id, ['completed'])).toBe(false);
    await rejectsWithCode(s.remove(waiting.id, ['finished' as never]), 'ERR_INVALID_ARGUMENT');
    await rejectsWithCode(s.remove(waiting.id, 'completed' as never), 'ERR_INVALID_ARGUMENT');
    expect((await s.get(waiting.id))?.status).toBe('waiting');
  });
}
