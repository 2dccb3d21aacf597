import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type pg from 'pg';
import { InvalidArgumentError, StorageError, TaskKeyConflictError, uuidv7, type ExecutionLogEntry } from 'evertask';
import { PostgresStorage, postgresMigrationSql, POSTGRES_SCHEMA_VERSION } from '../src/index.js';
import { PG_URL, describeWithPostgres, dropSchemas, makeTask, testPool, testSchema, waitFor } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();
const SCHEMA = testSchema(import.meta.url);

function log(taskId: string, sequence: number, at = 1_700_000_000_100): ExecutionLogEntry {
  return { id: uuidv7(), taskId, at, level: 'information', message: `line ${sequence}`, exception: null, sequence };
}

describePg('PostgresStorage (adapter)', () => {
  let storage: PostgresStorage;
  let admin: pg.Pool;

  beforeAll(async () => {
    admin = testPool(2);
    storage = new PostgresStorage({ connectionString: PG_URL, schema: SCHEMA });
    await storage.open();
  });

  beforeEach(async () => {
    await admin.query(`TRUNCATE "${SCHEMA}".tasks CASCADE`);
  });

  afterAll(async () => {
    await storage?.close();
    await admin?.end();
    await dropSchemas(SCHEMA);
  });

  it('declares its capabilities', () => {
    expect(storage.capabilities).toEqual({
      persistent: true,
      multiProcess: true,
      notifications: true,
      transactionalDispatch: true,
    });
  });

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
    await storage.add([task]);
    expect(await storage.get(task.id)).toEqual(task);
    expect(await storage.getByTaskKey('k-1')).toEqual(task);
    expect(await storage.get(uuidv7())).toBeUndefined();
    expect(await storage.get('not-a-uuid')).toBeUndefined();
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
    const other = new PostgresStorage({ connectionString: PG_URL, schema: SCHEMA });
    await other.open();
    const unsubscribe = await other.subscribe((n) => seen.push(n));
    try {
      await storage.add(tasks);
      for (const t of tasks) expect(await storage.get(t.id)).toEqual(t);
      // one identical-but-for-id batch and a single task (every column one value)
      const same = [makeTask(), makeTask()];
      await storage.add(same);
      await storage.add([makeTask({ ...full, taskKey: 'k-single' })]);
      for (const t of same) expect(await storage.get(t.id)).toEqual(t);
      expect((await storage.getByTaskKey('k-single'))?.error).toBe(full.error);
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
    await storage.add([task]);
    expect(await storage.get(task.id)).toEqual(task);
    const neighbour = makeTask();
    const error = await storage.add([neighbour, makeTask({ payload: 'nul \u0000 char' })]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/NUL character/);
    expect(await storage.get(neighbour.id)).toBeUndefined();
    // a lone surrogate is encoded as U+FFFD (UTF-8 has no form for it)
    const lone = makeTask({ payload: 'lone \ud800 surrogate' });
    await storage.add([lone]);
    expect((await storage.get(lone.id))?.payload).toBe('lone \ufffd surrogate');
  });

  it('records a status change whose error text holds a lone surrogate or a NUL (replaced by U+FFFD) instead of failing it', async () => {
    const task = makeTask({ status: 'queued', leaseOwner: 'me', leaseExpiresAt: 2_000_000_000_000 });
    await storage.add([task]);
    const applied = await storage.transition([
      {
        id: task.id, from: ['queued'], owner: 'me', to: 'failed', at: task.createdAt + 1,
        patch: { error: 'bad \ud800 text \u0000 here', leaseOwner: null, leaseExpiresAt: null }, audit: { error: 'bad \udc00' },
      },
    ]);
    expect(applied).toEqual([true]);
    expect((await storage.get(task.id))?.error).toBe('bad \ufffd text \ufffd here');
    expect((await storage.getStatusAudit(task.id)).at(-1)?.error).toBe('bad \ufffd');
  });

  it('adds a batch all or none and names the conflicting task key', async () => {
    const taken = makeTask({ taskKey: 'welcome-42' });
    await storage.add([taken]);
    const batch = [makeTask(), makeTask({ taskKey: 'welcome-42' }), makeTask()];
    const error = await storage.add(batch).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskKeyConflictError);
    expect((error as TaskKeyConflictError).taskKey).toBe('welcome-42');
    expect((error as Error).message).toContain('welcome-42');
    for (const task of batch) expect(await storage.get(task.id)).toBeUndefined();
  });

  it('detects a duplicate key inside one batch and across chunks', async () => {
    const small = new PostgresStorage({ connectionString: PG_URL, schema: SCHEMA, addChunkSize: 2 });
    try {
      const batch = [makeTask({ taskKey: 'dup' }), makeTask(), makeTask(), makeTask({ taskKey: 'dup' })];
      await expect(small.add(batch)).rejects.toBeInstanceOf(TaskKeyConflictError);
      for (const task of batch) expect(await storage.get(task.id)).toBeUndefined();
      const ok = Array.from({ length: 5 }, () => makeTask());
      await small.add(ok, { audit: true });
      expect((await storage.query({})).total).toBe(5);
      expect(await storage.getStatusAudit(ok[4]!.id)).toHaveLength(1);
    } finally {
      await small.close();
    }
  });

  it('writes the add audit row only when asked', async () => {
    const a = makeTask();
    const b = makeTask({ status: 'queued', leaseOwner: 'me', leaseExpiresAt: 1_700_000_030_000 });
    await storage.add([a]);
    await storage.add([b], { audit: true });
    expect(await storage.getStatusAudit(a.id)).toEqual([]);
    expect(await storage.getStatusAudit(b.id)).toEqual([{ taskId: b.id, status: 'queued', at: b.updatedAt, error: null }]);
  });

  it('rejects bad input with InvalidArgumentError', async () => {
    await expect(storage.add([makeTask({ id: 'nope' })])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(storage.add([makeTask({ status: 'running' as never })])).rejects.toThrow(/status/);
    await expect(storage.add([makeTask({ dueAt: Number.NaN })])).rejects.toThrow(/dueAt/);
    await expect(storage.add([makeTask()], { tx: {} })).rejects.toThrow(/options.tx/);
    await expect(storage.update(uuidv7(), { bogus: 1 } as never)).rejects.toThrow(/bogus/);
    await expect(storage.claimDue({ owner: '', now: 1, limit: 1, leaseMs: 1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(storage.query({}, { sortBy: 'payload' as never })).rejects.toThrow(/sortBy/);
  });

  it('transitions a batch in one statement with guards, audit, run audit and logs', async () => {
    const t1 = makeTask({ status: 'queued', leaseOwner: 'a', leaseExpiresAt: 1_700_000_030_000 });
    const t2 = makeTask({ status: 'queued', leaseOwner: 'b', leaseExpiresAt: 1_700_000_030_000 });
    const t3 = makeTask({ status: 'completed', dueAt: null });
    await storage.add([t1, t2, t3]);
    const at = 1_700_000_002_000;
    const result = await storage.transition([
      {
        id: t1.id,
        from: ['queued'],
        owner: 'a',
        to: 'completed',
        at,
        patch: { executionTimeMs: 4.25, lastExecutionAt: at, leaseOwner: null, leaseExpiresAt: null, dueAt: null, error: null },
        audit: { error: null },
        runAudit: { at, status: 'completed', executionTimeMs: 4.25, error: null },
        logs: [log(t1.id, 0), log(t1.id, 1)],
      },
      { id: t2.id, from: ['queued'], owner: 'a', to: 'completed', at, audit: { error: null }, logs: [log(t2.id, 0)] },
      { id: t3.id, from: ['queued', 'in-progress'], to: 'cancelled', at, audit: { error: null } },
      { id: uuidv7(), from: ['queued'], to: 'completed', at },
      { id: 'garbage', from: ['queued'], to: 'completed', at },
    ]);
    expect(result).toEqual([true, false, false, false, false]);
    const stored = await storage.get(t1.id);
    expect(stored).toMatchObject({
      status: 'completed',
      updatedAt: at,
      executionTimeMs: 4.25,
      lastExecutionAt: at,
      leaseOwner: null,
      leaseExpiresAt: null,
      dueAt: null,
      payload: t1.payload,
      attempts: 0,
    });
    expect(await storage.getStatusAudit(t1.id)).toEqual([{ taskId: t1.id, status: 'completed', at, error: null }]);
    expect(await storage.getRunAudit(t1.id)).toEqual([
      { taskId: t1.id, at, status: 'completed', executionTimeMs: 4.25, error: null },
    ]);
    expect((await storage.getExecutionLogs(t1.id)).map((l) => l.sequence)).toEqual([0, 1]);
    // Not applied: nothing of its history is written.
    expect(await storage.get(t2.id)).toEqual(t2);
    expect(await storage.getStatusAudit(t2.id)).toEqual([]);
    expect(await storage.countExecutionLogs(t2.id)).toBe(0);
    expect((await storage.get(t3.id))?.status).toBe('completed');
  });

  it('applies several changes of one task in a batch in order', async () => {
    const t = makeTask({ status: 'queued', leaseOwner: 'a', leaseExpiresAt: 1_700_000_030_000 });
    await storage.add([t]);
    const result = await storage.transition([
      { id: t.id, from: ['queued'], owner: 'a', to: 'in-progress', at: 1, patch: { attempts: 1 }, audit: { error: null } },
      { id: t.id, from: ['in-progress'], owner: 'a', to: 'completed', at: 2, audit: { error: null } },
      { id: t.id, from: ['in-progress'], to: 'failed', at: 3, audit: { error: 'late' } },
    ]);
    expect(result).toEqual([true, true, false]);
    expect(await storage.get(t.id)).toMatchObject({ status: 'completed', attempts: 1, updatedAt: 2 });
    expect((await storage.getStatusAudit(t.id)).map((a) => a.status)).toEqual(['in-progress', 'completed']);
  });

  it('updates definition fields under a status guard', async () => {
    const t = makeTask();
    await storage.add([t]);
    expect(await storage.update(t.id, { payload: '{"n":2}', dueAt: 5, queue: 'q2' }, ['waiting'])).toBe(true);
    expect(await storage.get(t.id)).toMatchObject({ payload: '{"n":2}', dueAt: 5, queue: 'q2', status: 'waiting' });
    expect(await storage.update(t.id, { payload: 'x' }, ['in-progress'])).toBe(false);
    expect(await storage.update(uuidv7(), { payload: 'x' })).toBe(false);
    expect(await storage.update(t.id, {})).toBe(true);
    expect((await storage.get(t.id))?.payload).toBe('{"n":2}');
  });

  it('removes a task with its history', async () => {
    const t = makeTask();
    await storage.add([t], { audit: true });
    await storage.saveExecutionLogs(t.id, [log(t.id, 0)]);
    expect(await storage.remove(t.id)).toBe(true);
    expect(await storage.remove(t.id)).toBe(false);
    expect(await storage.getStatusAudit(t.id)).toEqual([]);
    expect(await storage.countExecutionLogs(t.id)).toBe(0);
  });

  it('claims due tasks and expired leases earliest first, renews and reports the next due time', async () => {
    const now = 1_700_000_100_000;
    const late = makeTask({ dueAt: now - 10 });
    const early = makeTask({ dueAt: now - 1000 });
    const future = makeTask({ dueAt: now + 5000 });
    const stopped = makeTask({ status: 'service-stopped', dueAt: now - 500 });
    const lapsed = makeTask({ status: 'in-progress', leaseOwner: 'dead', leaseExpiresAt: now - 1, dueAt: now - 100 });
    const held = makeTask({ status: 'queued', leaseOwner: 'alive', leaseExpiresAt: now + 2000, dueAt: now - 2000 });
    const done = makeTask({ status: 'completed', dueAt: now - 5000 });
    const other = makeTask({ dueAt: now - 3000, queue: 'other' });
    await storage.add([late, early, future, stopped, lapsed, held, done, other]);

    expect(await storage.nextDueAt()).toBe(now - 3000);
    expect(await storage.nextDueAt(['default'])).toBe(now - 1000);
    expect(await storage.nextDueAt(['nope'])).toBeUndefined();

    const claimed = await storage.claimDue({ owner: 'me', now, limit: 3, leaseMs: 30_000, queues: ['default'] });
    expect(claimed.map((t) => t.id)).toEqual([early.id, stopped.id, lapsed.id]);
    for (const t of claimed) {
      expect(t).toMatchObject({ status: 'queued', leaseOwner: 'me', leaseExpiresAt: now + 30_000 });
    }
    const rest = await storage.claimDue({ owner: 'me', now, limit: 10, leaseMs: 30_000 });
    expect(rest.map((t) => t.id)).toEqual([other.id, late.id]);
    expect(await storage.claimDue({ owner: 'me', now, limit: 10, leaseMs: 30_000 })).toEqual([]);

    expect(await storage.renewLeases('me', now + 10_000, 30_000)).toBe(5);
    expect((await storage.get(early.id))?.leaseExpiresAt).toBe(now + 40_000);
    expect(await storage.renewLeases('nobody', now, 30_000)).toBe(0);
    expect(await storage.nextDueAt()).toBe(now + 2000);
  });

  it('pages pending tasks by (createdAt, id) and lists scheduled ones', async () => {
    const tasks = Array.from({ length: 7 }, (_, i) => makeTask({ createdAt: 1000 + Math.floor(i / 2), dueAt: 5000 - i }));
    const finished = makeTask({ status: 'failed', createdAt: 999 });
    await storage.add([...tasks, finished]);
    const seen: string[] = [];
    let cursor: { createdAt: number; id: string } | undefined;
    for (;;) {
      const page = await storage.pending(cursor, 3);
      if (page.length === 0) break;
      seen.push(...page.map((t) => t.id));
      const last = page[page.length - 1]!;
      cursor = { createdAt: last.createdAt, id: last.id };
    }
    const expected = [...tasks].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1)).map((t) => t.id);
    expect(seen).toEqual(expected);
    const scheduled = await storage.scheduled(4996, 10);
    expect(scheduled.map((t) => t.dueAt)).toEqual([4994, 4995, 4996]);
  });

  it('filters, sorts and pages queries and counts in the database', async () => {
    await storage.add([
      makeTask({ name: 'SendEmail', queue: 'mail', createdAt: 1, taskKey: 'welcome-1' }),
      makeTask({ name: 'send-sms', queue: 'sms', createdAt: 2, status: 'completed' }),
      makeTask({ name: 'Report', queue: 'default', createdAt: 3, recurring: '{}', status: 'failed' }),
      makeTask({ name: 'report-daily', queue: 'default', createdAt: 4 }),
    ]);
    const all = await storage.query({}, { limit: 2 });
    expect(all.total).toBe(4);
    expect(all.items.map((t) => t.createdAt)).toEqual([4, 3]);
    const page2 = await storage.query({}, { limit: 2, offset: 2, descending: false });
    expect(page2.items.map((t) => t.createdAt)).toEqual([3, 4]);
    expect((await storage.query({}, { offset: 10 })).total).toBe(4);
    expect((await storage.query({ nameContains: 'SEND' })).total).toBe(2);
    expect((await storage.query({ search: 'welcome' })).total).toBe(1);
    expect((await storage.query({ search: '%' })).total).toBe(0);
    expect((await storage.query({ recurring: true })).items[0]?.name).toBe('Report');
    expect((await storage.query({ statuses: ['waiting'], queue: 'default' })).total).toBe(1);
    expect((await storage.query({ createdAfter: 2, createdBefore: 4 })).total).toBe(2);
    expect((await storage.query({ ids: ['nope'] })).total).toBe(0);
    expect((await storage.query({}, { sortBy: 'queue', descending: false })).items.map((t) => t.queue)).toEqual([
      'default',
      'default',
      'mail',
      'sms',
    ]);
    expect(await storage.count()).toEqual([
      { queue: 'default', status: 'failed', count: 1 },
      { queue: 'default', status: 'waiting', count: 1 },
      { queue: 'mail', status: 'waiting', count: 1 },
      { queue: 'sms', status: 'completed', count: 1 },
    ]);
    expect(await storage.count({ queue: 'mail' })).toEqual([{ queue: 'mail', status: 'waiting', count: 1 }]);
  });

  it('stores and pages execution logs by (at, sequence, id)', async () => {
    const t = makeTask();
    await storage.add([t]);
    const logs = Array.from({ length: 5 }, (_, i) => log(t.id, i, 1000 + (i % 2)));
    await storage.saveExecutionLogs(t.id, logs);
    await storage.saveExecutionLogs(t.id, []);
    expect(await storage.countExecutionLogs(t.id)).toBe(5);
    const all = await storage.getExecutionLogs(t.id);
    expect(all.map((l) => l.sequence)).toEqual([0, 2, 4, 1, 3]);
    expect((await storage.getExecutionLogs(t.id, 1, 2)).map((l) => l.sequence)).toEqual([2, 4]);
    expect(all[0]).toEqual(logs[0]);
  });

  it('cleans up old finished one-off tasks and old history, never recurring or active tasks', async () => {
    const oldDone = makeTask({ status: 'completed', updatedAt: 100 });
    const newDone = makeTask({ status: 'completed', updatedAt: 10_000 });
    const oldFailed = makeTask({ status: 'failed', updatedAt: 100 });
    const oldCancelled = makeTask({ status: 'cancelled', updatedAt: 100 });
    const recurring = makeTask({ status: 'completed', updatedAt: 100, recurring: '{}' });
    const active = makeTask({ status: 'waiting', updatedAt: 100 });
    await storage.add([oldDone, newDone, oldFailed, oldCancelled, recurring, active]);
    await storage.saveExecutionLogs(active.id, [log(active.id, 0, 50), log(active.id, 1, 5000)]);
    await storage.transition([{ id: active.id, from: ['waiting'], to: 'waiting', at: 60, audit: { error: null } }]);
    const result = await storage.cleanup({ completedBefore: 1000, auditBefore: 1000, logsBefore: 1000 });
    expect(result).toEqual({ tasks: 1, audits: 1, logs: 1 });
    expect(await storage.get(oldDone.id)).toBeUndefined();
    expect(await storage.get(oldFailed.id)).toBeDefined();
    expect((await storage.cleanup({ failedBefore: 1000 })).tasks).toBe(2);
    expect(await storage.get(recurring.id)).toBeDefined();
    expect(await storage.get(active.id)).toBeDefined();
    expect(await storage.get(newDone.id)).toBeDefined();
  });

  it('reports a malformed stored row naming the task and the column', async () => {
    const t = makeTask();
    await storage.add([t]);
    await admin.query(`UPDATE "${SCHEMA}".tasks SET status = 'running' WHERE id = $1`, [t.id]);
    const error = await storage.get(t.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toContain(t.id);
    expect((error as Error).message).toContain('"status"');
    expect((error as StorageError).transient).toBe(false);
  });

  it('reports a malformed instance row naming the instance and the field', async () => {
    await storage.heartbeatInstance({ id: 'i-1', hostname: 'h', pid: 1, startedAt: 1, heartbeatAt: 1, expiresAt: 2, queues: ['default'] });
    await admin.query(`UPDATE "${SCHEMA}".instances SET queues = ARRAY['']::text[] WHERE id = 'i-1'`);
    const error = await storage.listInstances().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toContain('i-1');
    expect((error as Error).message).toContain('queues');
  });

  it('wraps a non-transient database error in a StorageError naming the operation', async () => {
    const t = makeTask();
    await storage.add([t]);
    const error = await storage.add([t]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toMatch(/PostgresStorage\.add failed/);
    expect((error as StorageError).transient).toBe(false);
    expect((error as StorageError).cause).toBeDefined();
  });

  it('keeps on the tasks table only the indexes that claims, renewals, keys, listings and retention use', async () => {
    // Every index costs a write per insert and per status change: the set is part of the design.
    const res = await admin.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'tasks' ORDER BY indexname`,
      [SCHEMA],
    );
    expect(res.rows.map((r) => r.indexname)).toEqual([
      'tasks_created_idx',
      'tasks_due_idx',
      'tasks_lease_idx',
      'tasks_pkey',
      'tasks_retention_idx',
      'tasks_task_key_uq',
    ]);
  });

  it('prints migration SQL that creates the schema at the current version', async () => {
    const schema = `${SCHEMA}_printed`;
    const sql = postgresMigrationSql(schema);
    expect(sql).toContain(`"${schema}".tasks`);
    await admin.query(sql);
    const verify = new PostgresStorage({ connectionString: PG_URL, schema, migrate: false });
    try {
      await verify.open();
      const res = await admin.query(`SELECT max(version) AS v FROM "${schema}".migrations`);
      expect(res.rows[0].v).toBe(POSTGRES_SCHEMA_VERSION);
      expect(postgresMigrationSql(schema, POSTGRES_SCHEMA_VERSION)).not.toContain('CREATE TABLE "');
    } finally {
      await verify.close();
    }
  });
});
