import { expect, it } from 'vitest';
import { InvalidArgumentError, TaskKeyConflictError, uuidv7 } from 'evertask';
import { PostgresStorage } from '../../src/index.js';
import { PG_URL, describeWithPostgres, makeLog, makeTask, useStorage, waitFor } from '../pg-test-helpers.js';
import { countExecutionLogs } from 'evertask';

const describePg = await describeWithPostgres();

describePg('PostgresStorage tasks: add, update, remove', () => {
  const fixture = useStorage(import.meta.url);

  it('round-trips every field of a task', async () => {
    const task = makeTask({
      taskKey: 'k-1',
      scheduledAt: 1_700_000_005_000,
      dueAt: 1_700_000_005_000,
      attempts: 2,
      lastExecutionAt: 1_700_000_001_000,
      executionTimeMs: 12.5,
      error: 'Error: boom\n  at x',
      leaseOwner: null,
      recoveryFailures: 1,
      recurring: '{"every":"1m"}',
      recurringInfo: 'every minute',
      runCount: 3,
      maxRuns: 10,
      runUntil: 1_800_000_000_000,
      lastOutcome: 'failed',
      auditLevel: 'minimal',
      payload: '{"text":"ünïcødé \\u0000 \' \\" {}"}',
    });
    await fixture.storage.add([task]);
    expect(await fixture.storage.get(task.id)).toEqual(task);
    expect(await fixture.storage.getByTaskKey('k-1')).toEqual(task);
    expect(await fixture.storage.get(uuidv7())).toBeUndefined();
    await expect(fixture.storage.get('not-a-uuid')).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('round-trips a batch whose columns vary, repeat, are partly null or all null, and wakes others once with the earliest due time', async () => {
    // each column of a chunk travels as an array, one shared value or a NULL constant: all three in one batch
    const full = {
      taskKey: 'k-batch',
      scheduledAt: 1_700_000_005_000,
      attempts: 2,
      executionTimeMs: 12.5,
      error: 'Error: "quoted" \\ back\nslash',
      recurring: '{"every":"1m"}',
      lastOutcome: 'failed' as const,
      payload: '{"a":"{\\"}"}',
    };
    const tasks = [
      makeTask({ ...full, dueAt: 1_700_000_009_000 }),
      makeTask({ dueAt: 1_700_000_003_000, queue: 'mail' }),
      makeTask({ dueAt: 1_700_000_007_000, status: 'queued', leaseOwner: 'me', leaseExpiresAt: 1_700_000_030_000 }),
    ];
    const seen: unknown[] = [];
    const other = new PostgresStorage({ connectionString: PG_URL, schema: fixture.schema });
    await other.open();
    const unsubscribe = await other.notifications!.subscribe((n) => seen.push(n));
    try {
      await fixture.storage.add(tasks);
      for (const t of tasks) expect(await fixture.storage.get(t.id)).toEqual(t);
      // one identical-but-for-id batch and a single task (every column one value)
      const same = [makeTask(), makeTask()];
      await fixture.storage.add(same);
      await fixture.storage.add([makeTask({ ...full, taskKey: 'k-single' })]);
      for (const t of same) expect(await fixture.storage.get(t.id)).toEqual(t);
      expect((await fixture.storage.getByTaskKey('k-single'))?.error).toBe(full.error);
      await waitFor(() => seen.length > 0, 5000, 'the wake-up of the first batch');
      // the first batch: runnable rows are the first two (the third is leased), earliest due first
      expect(seen[0]).toEqual({ kind: 'task-available', dueAt: 1_700_000_003_000 });
    } finally {
      await unsubscribe();
      await other.close();
    }
  });

  it('round-trips control characters, line separators and astral characters, refuses a NUL and stores a lone surrogate as U+FFFD', async () => {
    const text = 'tab\there "q" \\ back / ✓ 😀 \u2028 \u0001';
    const task = makeTask({ payload: text, error: text, taskKey: `k-${text}` });
    await fixture.storage.add([task]);
    expect(await fixture.storage.get(task.id)).toEqual(task);
    const neighbour = makeTask();
    const error = await fixture.storage.add([neighbour, makeTask({ payload: 'nul \u0000 char' })]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/NUL character/);
    expect(await fixture.storage.get(neighbour.id)).toBeUndefined();
    // a lone surrogate is encoded as U+FFFD (UTF-8 has no form for it)
    const lone = makeTask({ payload: 'lone \ud800 surrogate' });
    await fixture.storage.add([lone]);
    expect((await fixture.storage.get(lone.id))?.payload).toBe('lone \ufffd surrogate');
  });

  it('adds a batch all or none and names the conflicting task key', async () => {
    const taken = makeTask({ taskKey: 'welcome-42' });
    await fixture.storage.add([taken]);
    const batch = [makeTask(), makeTask({ taskKey: 'welcome-42' }), makeTask()];
    const error = await fixture.storage.add(batch).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskKeyConflictError);
    expect((error as TaskKeyConflictError).taskKey).toBe('welcome-42');
    expect((error as Error).message).toContain('welcome-42');
    for (const task of batch) expect(await fixture.storage.get(task.id)).toBeUndefined();
  });

  it('detects a duplicate key inside one batch and across chunks', async () => {
    const small = new PostgresStorage({ connectionString: PG_URL, schema: fixture.schema, addChunkSize: 2 });
    try {
      const batch = [makeTask({ taskKey: 'dup' }), makeTask(), makeTask(), makeTask({ taskKey: 'dup' })];
      await expect(small.add(batch)).rejects.toBeInstanceOf(TaskKeyConflictError);
      for (const task of batch) expect(await fixture.storage.get(task.id)).toBeUndefined();
      const ok = Array.from({ length: 5 }, () => makeTask());
      await small.add(ok, { audit: true });
      expect((await fixture.storage.query({})).total).toBe(5);
      expect(await fixture.storage.getStatusAudit(ok[4]!.id)).toHaveLength(1);
    } finally {
      await small.close();
    }
  });

  it('writes the add audit row only when asked', async () => {
    const a = makeTask();
    const b = makeTask({ status: 'queued', leaseOwner: 'me', leaseExpiresAt: 1_700_000_030_000 });
    await fixture.storage.add([a]);
    await fixture.storage.add([b], { audit: true });
    expect(await fixture.storage.getStatusAudit(a.id)).toEqual([]);
    expect(await fixture.storage.getStatusAudit(b.id)).toEqual([{ taskId: b.id, status: 'queued', at: b.updatedAt, error: null, actor: null }]);
  });

  it('updates definition fields under a status guard', async () => {
    const t = makeTask();
    await fixture.storage.add([t]);
    expect(await fixture.storage.update(t.id, { payload: '{"n":2}', dueAt: 5, queue: 'q2' }, ['waiting'])).toBe(true);
    expect(await fixture.storage.get(t.id)).toMatchObject({ payload: '{"n":2}', dueAt: 5, queue: 'q2', status: 'waiting' });
    expect(await fixture.storage.update(t.id, { payload: 'x' }, ['in-progress'])).toBe(false);
    expect(await fixture.storage.update(uuidv7(), { payload: 'x' })).toBe(false);
    expect(await fixture.storage.update(t.id, {})).toBe(true);
    expect((await fixture.storage.get(t.id))?.payload).toBe('{"n":2}');
  });

  it('removes a task with its history', async () => {
    const t = makeTask();
    await fixture.storage.add([t], { audit: true });
    await fixture.storage.saveExecutionLogs(t.id, [makeLog(t.id, 0)]);
    expect(await fixture.storage.remove(t.id)).toBe(true);
    expect(await fixture.storage.remove(t.id)).toBe(false);
    expect(await fixture.storage.getStatusAudit(t.id)).toEqual([]);
    expect(await countExecutionLogs(fixture.storage, t.id)).toBe(0);
  });
});
