import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestContext } from 'vitest';
import { uuidv7 } from '../ids.js';
import { TASK_STATUSES, TERMINAL_STATUSES } from '../ports/task-record.js';
import type { ExecutionLogEntry, StoredTask, TaskPatch, TaskStatus } from '../ports/task-record.js';
import type { InstanceRecord, StatusCount, StorageNotification, TaskSortField, TaskStorage, TaskTransition } from '../ports/task-storage.js';
import { allowedSources } from '../state-machine.js';
import { newStoredTask } from '../storage/stored-task.js';
import { registerCleanupCountTests } from './cleanup-count-conformance.js';

/** Options of {@link describeStorageConformance}. */
export interface ConformanceOptions {
  /**
   * Tests to skip, by exact title, each with the written reason (shown in the test report). A
   * title that names no test of the suite fails the suite, so a typo never hides a test.
   * @defaultValue `{}`
   */
  skip?: Record<string, string>;
  /**
   * Called after each test, once the storage is closed, to drop what the test created (a schema,
   * a database file, a key prefix).
   * @defaultValue none
   */
  destroy?: (storage: TaskStorage) => Promise<void>;
}

/**
 * A valid task with a fresh UUIDv7 id: `waiting` on the `default` queue, due at its creation
 * time, with every optional field null. Pass overrides for anything else.
 */
export function makeStoredTask(overrides: Partial<StoredTask> = {}): StoredTask {
  const createdAt = overrides.createdAt ?? Date.now();
  return newStoredTask({ id: uuidv7(createdAt), name: 'test-task', payload: '{}', createdAt, ...overrides });
}

// ---- helpers -----------------------------------------------------------------------------------

/** Base time of every test: 2026-01-01T00:00:00Z. */
const T = Date.UTC(2026, 0, 1);
const LEASE = 30_000;
const STORED_TASK_KEYS = Object.keys(makeStoredTask()).sort();

function task(overrides: Partial<StoredTask> = {}): StoredTask {
  return makeStoredTask({ createdAt: T, ...overrides });
}

function log(taskId: string, at: number, sequence: number, overrides: Partial<ExecutionLogEntry> = {}): ExecutionLogEntry {
  return {
    id: uuidv7(at),
    taskId,
    at,
    level: 'information',
    message: `message ${at - T}/${sequence}`,
    exception: null,
    sequence,
    ...overrides,
  };
}

function ids(tasks: readonly { id: string }[]): string[] {
  return tasks.map((t) => t.id);
}

function sortedIds(tasks: readonly { id: string }[]): string[] {
  return ids(tasks).sort();
}

async function rejectsWithCode(promise: Promise<unknown>, ...codes: string[]): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a rejection with code ${codes.join(' or ')}`).toBeInstanceOf(Error);
  expect(codes).toContain((caught as { code?: unknown }).code);
}

async function claim(storage: TaskStorage, now: number, extra: Partial<Parameters<TaskStorage['claimDue']>[0]> = {}) {
  return storage.claimDue({ owner: 'owner-a', now, limit: 100, leaseMs: LEASE, ...extra });
}

function byQueueAndStatus(cells: readonly StatusCount[]): StatusCount[] {
  return [...cells].sort((a, b) => `${a.queue}/${a.status}`.localeCompare(`${b.queue}/${b.status}`));
}

function cell(queue: string, status: TaskStatus, count: number): StatusCount {
  return { queue, status, count };
}

type ConformanceTest = (storage: TaskStorage, context: TestContext) => Promise<void>;

// ---- the suite ---------------------------------------------------------------------------------

/**
 * Registers the whole storage contract with vitest. Call it at the top level of a test file:
 *
 * ```ts
 * describeStorageConformance('MyStorage', () => new MyStorage({ ... }), {
 *   skip: { 'claims are exclusive under concurrent claimers': 'single connection in this test setup' },
 *   destroy: async (storage) => dropTestSchema(storage),
 * });
 * ```
 *
 * Each test gets a fresh, empty storage from `createStorage()` (tests count what they stored), opened
 * before the test and closed after it (then passed to `destroy`). Optional behaviour is tested according to
 * `storage.capabilities`, never according to the class.
 */
export function describeStorageConformance(
  name: string,
  createStorage: () => TaskStorage | Promise<TaskStorage>,
  options: ConformanceOptions = {},
): void {
  const skip = options.skip ?? {};
  const titles = new Set<string>();
  let current: TaskStorage | undefined;

  const acquire = async (): Promise<TaskStorage> => {
    const storage = await createStorage();
    current = storage;
    await storage.open();
    return storage;
  };

  const test = (title: string, body: ConformanceTest): void => {
    if (titles.has(title)) throw new Error(`Duplicate conformance test title: ${title}`);
    titles.add(title);
    const reason = skip[title];
    it(title, async (context) => {
      if (reason !== undefined) context.skip(`skipped by the adapter: ${reason}`);
      await body(await acquire(), context);
    });
  };

  describe(`TaskStorage conformance: ${name}`, () => {
    afterEach(async () => {
      const storage = current;
      current = undefined;
      if (storage === undefined) return;
      await storage.close();
      await options.destroy?.(storage);
    });

    describe('seed: custom storage tests', () => registerSeedTests(test));
    describe('add', () => registerAddTests(test));
    describe('get, update, remove', () => registerCrudTests(test));
    describe('transition', () => registerTransitionTests(test));
    describe('claimDue and leases', () => registerClaimTests(test));
    describe('nextDueAt', () => registerNextDueTests(test));
    describe('pending and scheduled', () => registerPendingTests(test));
    describe('query and count', () => registerQueryTests(test));
    describe('history', () => registerHistoryTests(test));
    describe('cleanup', () => registerCleanupTests(test));
    describe('cleanup counts', () => registerCleanupCountTests(test));
    describe('lifecycle and validation', () => registerLifecycleTests(test));
    describe('notifications', () => registerNotificationTests(test));
    describe('instance registry', () => registerInstanceTests(test));

    it('skip list names only tests of this suite, each with a reason', () => {
      const unknown = Object.keys(skip).filter((title) => !titles.has(title));
      expect(unknown, 'skip entries that match no conformance test title').toEqual([]);
      const unexplained = Object.entries(skip).filter(([, reason]) => typeof reason !== 'string' || reason.trim() === '');
      expect(unexplained.map(([title]) => title), 'skip entries without a reason').toEqual([]);
    });
  });
}

type Register = (title: string, body: ConformanceTest) => void;

// ---- seed --------------------------------------------------------------------------------------

function registerSeedTests(test: Register): void {
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
  });
}

function minimalTask(): StoredTask {
  return task({ status: 'waiting', auditLevel: 'none', dueAt: null, payload: '[]' });
}

function registerAddTests(test: Register): void {
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
    await rejectsWithCode(s.add([valid, bad]), 'ERR_INVALID_ARGUMENT', 'ERR_STORAGE');
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
    expect(await s.getStatusAudit(a.id)).toEqual([{ taskId: a.id, status: 'waiting', at: T, error: null }]);
    expect(await s.getStatusAudit(b.id)).toEqual([{ taskId: b.id, status: 'queued', at: T + 5, error: null }]);
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

function registerCrudTests(test: Register): void {
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
    expect(await s.countExecutionLogs(t.id)).toBe(0);
    expect(await s.nextDueAt()).toBeUndefined();
    expect(await claim(s, T + 10)).toEqual([]);
    expect(ids(await s.pending(undefined, 10))).toEqual([other.id]);
    expect(await s.remove(t.id)).toBe(false);

    expect(await s.getStatusAudit(other.id)).toHaveLength(1);
    expect(await s.countExecutionLogs(other.id)).toBe(1);
    const successor = task({ taskKey: 'rm-key' });
    await s.add([successor]);
    expect((await s.getByTaskKey('rm-key'))?.id).toBe(successor.id);
  });
}

// ---- transition --------------------------------------------------------------------------------

function registerTransitionTests(test: Register): void {
  test('writes prior audit rows before the audit row, only when the change applies', async (s) => {
    const t = task({ status: 'queued', leaseOwner: 'w1', leaseExpiresAt: T + LEASE });
    const other = task({ status: 'completed' });
    await s.add([t, other]);
    const applied = await s.transition([
      {
        id: t.id,
        from: ['queued'],
        owner: 'w1',
        to: 'completed',
        at: T + 20,
        priorAudits: [{ status: 'in-progress', at: T + 10, error: null }],
        audit: { error: null },
      },
      { id: other.id, from: ['queued'], to: 'failed', at: T + 20, priorAudits: [{ status: 'in-progress', at: T + 10, error: null }], audit: { error: 'x' } },
    ]);
    expect(applied).toEqual([true, false]);
    expect(await s.getStatusAudit(t.id)).toEqual([
      { taskId: t.id, status: 'in-progress', at: T + 10, error: null },
      { taskId: t.id, status: 'completed', at: T + 20, error: null },
    ]);
    expect(await s.getStatusAudit(other.id)).toEqual([]);
  });

  test('applies a guarded change with its patch, audit row, run-audit row and logs', async (s) => {
    const t = task({ status: 'in-progress', leaseOwner: 'w1', leaseExpiresAt: T + LEASE, recurring: '{"every":"1m"}' });
    await s.add([t]);
    const patch: TaskPatch = {
      attempts: 2,
      error: 'Error: boom',
      lastExecutionAt: T + 50,
      executionTimeMs: 33.5,
      leaseOwner: null,
      leaseExpiresAt: null,
      dueAt: T + 5000,
      runCount: 4,
      lastOutcome: 'failed',
      recoveryFailures: 1,
    };
    const logs = [log(t.id, T + 40, 0), log(t.id, T + 45, 1, { level: 'error', exception: 'Error: boom' })];
    const applied = await s.transition([
      {
        id: t.id,
        from: ['in-progress'],
        owner: 'w1',
        to: 'waiting',
        at: T + 60,
        patch,
        audit: { error: 'Error: boom' },
        runAudit: { at: T + 50, status: 'failed', executionTimeMs: 33.5, error: 'Error: boom' },
        logs,
      },
    ]);
    expect(applied).toEqual([true]);
    expect(await s.get(t.id)).toEqual({ ...t, ...patch, status: 'waiting', updatedAt: T + 60 });
    expect(await s.getStatusAudit(t.id)).toEqual([{ taskId: t.id, status: 'waiting', at: T + 60, error: 'Error: boom' }]);
    expect(await s.getRunAudit(t.id)).toEqual([
      { taskId: t.id, at: T + 50, status: 'failed', executionTimeMs: 33.5, error: 'Error: boom' },
    ]);
    expect(await s.getExecutionLogs(t.id)).toEqual(logs);
    expect(await s.nextDueAt()).toBe(T + 5000);

    expect(await s.transition([{ id: t.id, from: ['waiting'], to: 'queued', at: T + 70 }])).toEqual([true]);
    expect(await s.getStatusAudit(t.id)).toHaveLength(1);
    expect(await s.getRunAudit(t.id)).toHaveLength(1);
  });

  test('does not apply and writes nothing when the status is not in from', async (s) => {
    const t = task({ status: 'waiting' });
    await s.add([t]);
    const change: TaskTransition = {
      id: t.id,
      from: ['in-progress'],
      to: 'completed',
      at: T + 10,
      patch: { error: 'x' },
      audit: { error: null },
      runAudit: { at: T + 10, status: 'completed', executionTimeMs: 1, error: null },
      logs: [log(t.id, T + 10, 0)],
    };
    expect(await s.transition([change])).toEqual([false]);
    expect(await s.get(t.id)).toEqual(t);
    expect(await s.getStatusAudit(t.id)).toEqual([]);
    expect(await s.getRunAudit(t.id)).toEqual([]);
    expect(await s.countExecutionLogs(t.id)).toBe(0);
  });

  test('guards by lease owner', async (s) => {
    const t = task({ status: 'queued', leaseOwner: 'owner-1', leaseExpiresAt: T + LEASE });
    await s.add([t]);
    const change = (owner: string): TaskTransition => ({
      id: t.id,
      from: ['queued'],
      owner,
      to: 'in-progress',
      at: T + 1,
      audit: { error: null },
    });
    expect(await s.transition([change('owner-2')])).toEqual([false]);
    expect((await s.get(t.id))?.status).toBe('queued');
    expect(await s.getStatusAudit(t.id)).toEqual([]);
    expect(await s.transition([change('owner-1')])).toEqual([true]);
    expect((await s.get(t.id))?.status).toBe('in-progress');
    const unleased = task({ status: 'queued' });
    await s.add([unleased]);
    expect(await s.transition([{ ...change('owner-1'), id: unleased.id }])).toEqual([false]);
    expect(await s.transition([{ id: unleased.id, from: ['queued'], to: 'in-progress', at: T + 1 }])).toEqual([true]);
  });

  test('returns per-change results for a mixed batch', async (s) => {
    // The changes of one batch concern distinct tasks (the port's rule), so they are independent.
    const a = task();
    const b = task();
    const c = task({ status: 'queued', leaseOwner: 'x', leaseExpiresAt: T + LEASE });
    const d = task({ status: 'queued', leaseOwner: 'x', leaseExpiresAt: T + LEASE });
    await s.add([a, b, c, d]);
    const results = await s.transition([
      { id: a.id, from: ['waiting'], to: 'queued', at: T + 1, audit: { error: null } },
      { id: uuidv7(), from: ['waiting'], to: 'queued', at: T + 1, audit: { error: null } },
      { id: b.id, from: ['queued'], to: 'in-progress', at: T + 1, audit: { error: null } },
      { id: c.id, from: ['queued'], owner: 'y', to: 'in-progress', at: T + 1, audit: { error: null }, logs: [log(c.id, T, 0)] },
      { id: d.id, from: ['queued'], owner: 'x', to: 'in-progress', at: T + 2, audit: { error: null }, logs: [log(d.id, T, 0)] },
    ]);
    expect(results).toEqual([true, false, false, false, true]);
    expect((await s.get(a.id))?.status).toBe('queued');
    expect((await s.get(b.id))?.status).toBe('waiting');
    expect((await s.get(c.id))?.status).toBe('queued');
    expect((await s.get(d.id))?.status).toBe('in-progress');
    expect(await s.getStatusAudit(a.id)).toHaveLength(1);
    expect(await s.getStatusAudit(b.id)).toEqual([]);
    expect(await s.getStatusAudit(c.id)).toEqual([]);
    expect(await s.getStatusAudit(d.id)).toEqual([{ taskId: d.id, status: 'in-progress', at: T + 2, error: null }]);
    expect(await s.countExecutionLogs(c.id)).toBe(0);
    expect(await s.countExecutionLogs(d.id)).toBe(1);
  });

  test('applies a batch of 500 changes with per-change results', async (s) => {
    const batch = Array.from({ length: 500 }, (_, i) => task({ createdAt: T + i, status: i % 3 === 0 ? 'completed' : 'waiting' }));
    await s.add(batch);
    const results = await s.transition(
      batch.map((t) => ({ id: t.id, from: allowedSources('queued'), to: 'queued' as const, at: T + 1000, audit: { error: null } })),
    );
    expect(results).toEqual(batch.map((t) => t.status === 'waiting'));
    const queued = await s.query({ statuses: ['queued'] }, { limit: 1000 });
    expect(sortedIds(queued.items)).toEqual(sortedIds(batch.filter((t) => t.status === 'waiting')));
    expect(await s.getStatusAudit((batch[1] as StoredTask).id)).toEqual([
      { taskId: (batch[1] as StoredTask).id, status: 'queued', at: T + 1000, error: null },
    ]);
  });

  test('never overwrites a terminal task', async (s) => {
    for (const terminal of TERMINAL_STATUSES) {
      const t = task({ status: terminal, dueAt: T, leaseOwner: 'w', leaseExpiresAt: T });
      await s.add([t]);
      for (const to of TASK_STATUSES) {
        expect(await s.transition([{ id: t.id, from: allowedSources(to), to, at: T + 1, audit: { error: 'late' } }]), to).toEqual([false]);
      }
      expect(await s.get(t.id)).toEqual(t);
      expect(await s.getStatusAudit(t.id)).toEqual([]);
    }
    expect(await claim(s, T + 10 * LEASE)).toEqual([]);
  });

  test('leaving waiting makes a task unclaimable', async (s) => {
    const t = task({ dueAt: T });
    await s.add([t]);
    expect(await s.transition([{ id: t.id, from: allowedSources('cancelled'), to: 'cancelled', at: T + 1 }])).toEqual([true]);
    expect(await claim(s, T + 10)).toEqual([]);
    expect(await s.nextDueAt()).toBeUndefined();
    expect(await s.pending(undefined, 10)).toEqual([]);
  });

  test('ignores or rejects patch fields outside TaskPatch', async (s) => {
    const t = task({ name: 'original', taskKey: 'kept' });
    await s.add([t]);
    const rogue = { name: 'evil', taskKey: 'stolen', id: uuidv7(), status: 'failed', createdAt: 1, "x'); --": 1 };
    const change: TaskTransition = { id: t.id, from: ['waiting'], to: 'queued', at: T + 1, patch: rogue as unknown as TaskPatch };
    try {
      expect(await s.transition([change])).toEqual([true]);
    } catch (error) {
      expect(error).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    }
    try {
      await s.update(t.id, rogue as unknown as TaskPatch);
    } catch (error) {
      expect(error).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    }
    const got = await s.get(t.id);
    expect(got).toMatchObject({ id: t.id, name: 'original', taskKey: 'kept', createdAt: T });
    expect(['waiting', 'queued']).toContain(got?.status);
    expect(await s.getByTaskKey('stolen')).toBeUndefined();
  });
}

// ---- claimDue ----------------------------------------------------------------------------------

function registerClaimTests(test: Register): void {
  test('claims only due tasks, earliest first, up to the limit', async (s) => {
    const d30 = task({ dueAt: T + 30 });
    const d10 = task({ dueAt: T + 10 });
    const d40 = task({ dueAt: T + 40 });
    const d20 = task({ dueAt: T + 20 });
    const never = task({ dueAt: null });
    await s.add([d30, d10, d40, d20, never]);
    expect(ids(await claim(s, T + 30, { limit: 2 }))).toEqual([d10.id, d20.id]);
    expect(ids(await claim(s, T + 30, { limit: 2 }))).toEqual([d30.id]);
    expect(await claim(s, T + 30)).toEqual([]);
    expect(await claim(s, T + 30, { limit: 0 })).toEqual([]);
    expect((await s.get(d40.id))?.status).toBe('waiting');
    expect((await s.get(never.id))?.status).toBe('waiting');
    expect(ids(await claim(s, T + 40))).toEqual([d40.id]);
  });

  test('sets status, owner, lease and updatedAt on claimed tasks', async (s) => {
    const t = task({ dueAt: T + 5, attempts: 1, payload: '{"k":1}' });
    await s.add([t]);
    const [claimed] = await s.claimDue({ owner: 'instance-7', now: T + 10, limit: 5, leaseMs: 12_345 });
    const expected = { ...t, status: 'queued', leaseOwner: 'instance-7', leaseExpiresAt: T + 10 + 12_345, updatedAt: T + 10 };
    expect(claimed).toEqual(expected);
    expect(await s.get(t.id)).toEqual(expected);
  });

  test('claims service-stopped tasks', async (s) => {
    const t = task({ status: 'service-stopped', dueAt: T, error: 'shutdown' });
    await s.add([t]);
    expect(ids(await claim(s, T))).toEqual([t.id]);
    expect((await s.get(t.id))?.status).toBe('queued');
  });

  test('never claims terminal tasks or tasks without a due time or lease', async (s) => {
    const old = { dueAt: T, leaseOwner: 'gone', leaseExpiresAt: T };
    await s.add([
      task({ status: 'completed', ...old }),
      task({ status: 'failed', ...old }),
      task({ status: 'cancelled', ...old }),
      task({ status: 'waiting', dueAt: null }),
      task({ status: 'service-stopped', dueAt: null }),
      task({ status: 'queued', dueAt: T, leaseOwner: null, leaseExpiresAt: null }),
    ]);
    expect(await claim(s, T + 100 * LEASE)).toEqual([]);
  });

  test('filters by queues', async (s) => {
    const a = task({ queue: 'a', dueAt: T + 3 });
    const b = task({ queue: 'b', dueAt: T + 1 });
    const c = task({ queue: 'c', dueAt: T + 2 });
    const a2 = task({ queue: 'a', dueAt: T + 4 });
    await s.add([a, b, c, a2]);
    expect(ids(await claim(s, T + 10, { queues: ['a', 'c'] }))).toEqual([c.id, a.id, a2.id]);
    expect(await claim(s, T + 10, { queues: ['missing'] })).toEqual([]);
    expect(ids(await claim(s, T + 10))).toEqual([b.id]);
  });

  test('reclaims queued and in-progress tasks whose lease expired', async (s) => {
    const q = task({ status: 'queued', dueAt: T, leaseOwner: 'dead', leaseExpiresAt: T + 100 });
    const p = task({ status: 'in-progress', dueAt: T, leaseOwner: 'dead', leaseExpiresAt: T + 200, attempts: 1 });
    await s.add([q, p]);
    expect(await claim(s, T + 99, { owner: 'alive' })).toEqual([]);
    expect(ids(await claim(s, T + 100, { owner: 'alive' }))).toEqual([q.id]);
    expect(ids(await claim(s, T + 250, { owner: 'alive' }))).toEqual([p.id]);
    expect(await s.get(q.id)).toMatchObject({ status: 'queued', leaseOwner: 'alive', leaseExpiresAt: T + 100 + LEASE });
    expect(await s.get(p.id)).toMatchObject({ status: 'queued', leaseOwner: 'alive', leaseExpiresAt: T + 250 + LEASE, attempts: 1 });
  });

  test('claims are exclusive under concurrent claimers', async (s) => {
    const batch = Array.from({ length: 500 }, (_, i) => task({ dueAt: T + (i % 50) }));
    await s.add(batch);
    const claimer = async (owner: string) => {
      const got: StoredTask[] = [];
      for (;;) {
        const claimed = await s.claimDue({ owner, now: T + 1000, limit: 7, leaseMs: LEASE });
        if (claimed.length === 0) return got;
        got.push(...claimed);
      }
    };
    const owners = ['c1', 'c2', 'c3', 'c4', 'c5'];
    const results = await Promise.all(owners.map(claimer));
    const all = results.flat();
    expect(all).toHaveLength(500);
    expect(new Set(ids(all)).size).toBe(500);
    for (const [i, owner] of owners.entries()) {
      for (const claimed of results[i] ?? []) expect(claimed.leaseOwner).toBe(owner);
    }
    const stored = await s.query({ statuses: ['queued'] }, { limit: 1000 });
    expect(stored.total).toBe(500);
    const ownerOf = new Map(all.map((t) => [t.id, t.leaseOwner]));
    for (const t of stored.items) expect(t.leaseOwner).toBe(ownerOf.get(t.id));
  });

  test('renewLeases extends only the leases of the owner', async (s) => {
    const lease = { leaseExpiresAt: T + 100, dueAt: T };
    const a1 = task({ status: 'queued', leaseOwner: 'A', ...lease });
    const a2 = task({ status: 'in-progress', leaseOwner: 'A', ...lease });
    const b1 = task({ status: 'queued', leaseOwner: 'B', ...lease });
    const aDone = task({ status: 'completed', leaseOwner: 'A', ...lease });
    const aWaiting = task({ status: 'waiting', leaseOwner: 'A', leaseExpiresAt: T + 100, dueAt: null });
    await s.add([a1, a2, b1, aDone, aWaiting]);
    expect(await s.renewLeases('A', T + 50, 1000)).toBe(2);
    expect((await s.get(a1.id))?.leaseExpiresAt).toBe(T + 1050);
    expect((await s.get(a2.id))?.leaseExpiresAt).toBe(T + 1050);
    expect((await s.get(b1.id))?.leaseExpiresAt).toBe(T + 100);
    expect((await s.get(aDone.id))?.leaseExpiresAt).toBe(T + 100);
    expect((await s.get(aWaiting.id))?.leaseExpiresAt).toBe(T + 100);
    expect(await s.renewLeases('nobody', T + 50, 1000)).toBe(0);
  });

  test('renewLeases with ids extends only those of the owner, so a lease the owner lost track of lapses', async (s) => {
    const lease = { leaseExpiresAt: T + 100, dueAt: T };
    const held = task({ status: 'in-progress', leaseOwner: 'A', ...lease });
    const lost = task({ status: 'queued', leaseOwner: 'A', ...lease });
    const theirs = task({ status: 'queued', leaseOwner: 'B', ...lease });
    const done = task({ status: 'completed', leaseOwner: 'A', ...lease });
    await s.add([held, lost, theirs, done]);
    expect(await s.renewLeases('A', T + 50, 1000, [held.id, theirs.id, done.id, uuidv7()])).toBe(1);
    expect((await s.get(held.id))?.leaseExpiresAt).toBe(T + 1050);
    for (const t of [lost, theirs, done]) expect((await s.get(t.id))?.leaseExpiresAt).toBe(T + 100);
    expect(await s.renewLeases('A', T + 60, 1000, [])).toBe(0);
    // the lapsed one is claimed again; the held one is not
    expect(sortedIds(await claim(s, T + 500, { owner: 'C' }))).toEqual([lost.id, theirs.id].sort());
    await rejectsWithCode(s.renewLeases('A', T, 1000, 'x' as unknown as string[]), 'ERR_INVALID_ARGUMENT');
  });

  test('renewed leases are not reclaimable until they expire again', async (s) => {
    const mine = task({ status: 'in-progress', leaseOwner: 'A', leaseExpiresAt: T + 100, dueAt: T });
    const theirs = task({ status: 'in-progress', leaseOwner: 'B', leaseExpiresAt: T + 100, dueAt: T });
    await s.add([mine, theirs]);
    await s.renewLeases('A', T + 90, 1000);
    expect(ids(await claim(s, T + 500, { owner: 'C' }))).toEqual([theirs.id]);
    expect(await claim(s, T + 1089, { owner: 'C' })).toEqual([]);
    expect(ids(await claim(s, T + 1090, { owner: 'C' }))).toEqual([mine.id]);
  });
}

// ---- nextDueAt ---------------------------------------------------------------------------------

function registerNextDueTests(test: Register): void {
  test('nextDueAt is undefined when nothing is pending', async (s) => {
    expect(await s.nextDueAt()).toBeUndefined();
    await s.add([task({ status: 'completed', dueAt: T }), task({ status: 'waiting', dueAt: null })]);
    expect(await s.nextDueAt()).toBeUndefined();
  });

  test('nextDueAt is the earliest due time of waiting and service-stopped tasks', async (s) => {
    await s.add([task({ dueAt: T + 500 }), task({ status: 'cancelled', dueAt: T + 1 }), task({ dueAt: T + 300 })]);
    expect(await s.nextDueAt()).toBe(T + 300);
    await s.add([task({ status: 'service-stopped', dueAt: T + 200 })]);
    expect(await s.nextDueAt()).toBe(T + 200);
  });

  test('nextDueAt includes lease expiries of queued and in-progress tasks', async (s) => {
    await s.add([task({ dueAt: T + 80 }), task({ status: 'in-progress', leaseOwner: 'w', leaseExpiresAt: T + 50, dueAt: T })]);
    expect(await s.nextDueAt()).toBe(T + 50);
    await s.add([task({ status: 'queued', leaseOwner: 'w', leaseExpiresAt: T + 40, dueAt: null })]);
    expect(await s.nextDueAt()).toBe(T + 40);
  });

  test('nextDueAt honours the queues filter', async (s) => {
    await s.add([
      task({ queue: 'q1', dueAt: T + 10 }),
      task({ queue: 'q2', dueAt: T + 20 }),
      task({ queue: 'q3', status: 'queued', leaseOwner: 'w', leaseExpiresAt: T + 5, dueAt: null }),
    ]);
    expect(await s.nextDueAt()).toBe(T + 5);
    expect(await s.nextDueAt(['q2'])).toBe(T + 20);
    expect(await s.nextDueAt(['q1', 'q2'])).toBe(T + 10);
    expect(await s.nextDueAt(['q2', 'q3'])).toBe(T + 5);
    expect(await s.nextDueAt(['none'])).toBeUndefined();
  });
}

// ---- pending and scheduled ---------------------------------------------------------------------

function registerPendingTests(test: Register): void {
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
    expect(ids(await s.scheduled(T + 400, 10))).toEqual([early.id, late.id, edge.id]);
    expect(ids(await s.scheduled(T + 400, 2))).toEqual([early.id, late.id]);
    expect(await s.scheduled(T + 99, 10)).toEqual([]);
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

function registerQueryTests(test: Register): void {
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

// ---- history -----------------------------------------------------------------------------------

function registerHistoryTests(test: Register): void {
  test('status audit is returned oldest first', async (s) => {
    const t = task();
    await s.add([t], { audit: true });
    await s.transition([{ id: t.id, from: ['waiting'], to: 'queued', at: T + 30, audit: { error: null } }]);
    // A row with an earlier time (another instance's clock) still sorts by time.
    await s.transition([{ id: t.id, from: ['queued'], to: 'in-progress', at: T + 20, audit: { error: 'skewed' } }]);
    await s.transition([{ id: t.id, from: ['in-progress'], to: 'failed', at: T + 40, audit: { error: 'Error: final' } }]);
    expect(await s.getStatusAudit(t.id)).toEqual([
      { taskId: t.id, status: 'waiting', at: T, error: null },
      { taskId: t.id, status: 'in-progress', at: T + 20, error: 'skewed' },
      { taskId: t.id, status: 'queued', at: T + 30, error: null },
      { taskId: t.id, status: 'failed', at: T + 40, error: 'Error: final' },
    ]);
    expect(await s.getStatusAudit(uuidv7())).toEqual([]);
  });

  test('run audit is returned oldest first', async (s) => {
    const t = task({ recurring: '{"every":"1m"}', status: 'in-progress', leaseOwner: 'w', leaseExpiresAt: T + LEASE });
    const other = task({ recurring: '{"every":"1m"}' });
    await s.add([t, other]);
    const run = (at: number, status: TaskStatus, error: string | null): TaskTransition => ({
      id: t.id,
      from: ['in-progress', 'waiting'],
      to: 'waiting',
      at: at + 1,
      runAudit: { at, status, executionTimeMs: at - T, error },
    });
    await s.transition([run(T + 60, 'completed', null)]);
    await s.transition([run(T + 180, 'failed', 'Error: x')]);
    await s.transition([run(T + 120, 'completed', null)]);
    expect(await s.getRunAudit(t.id)).toEqual([
      { taskId: t.id, at: T + 60, status: 'completed', executionTimeMs: 60, error: null },
      { taskId: t.id, at: T + 120, status: 'completed', executionTimeMs: 120, error: null },
      { taskId: t.id, at: T + 180, status: 'failed', executionTimeMs: 180, error: 'Error: x' },
    ]);
    expect(await s.getRunAudit(other.id)).toEqual([]);
  });

  test('execution logs are ordered by (at, sequence, id) and paged with skip and take', async (s) => {
    const t = task();
    const other = task();
    await s.add([t, other]);
    const tieA = log(t.id, T + 3, 0, { message: 'tie a' });
    const tieB = log(t.id, T + 3, 0, { message: 'tie b' });
    const [low, high] = tieA.id < tieB.id ? [tieA, tieB] : [tieB, tieA];
    const l1 = log(t.id, T + 1, 0, { level: 'debug' });
    const l2 = log(t.id, T + 1, 1, { level: 'warning' });
    const l3 = log(t.id, T + 2, 0, { level: 'error', exception: 'Error: e\n  at x' });
    const l4 = log(t.id, T + 2, 5, { level: 'critical', message: 'ünïcode 😀 "quoted"' });
    await s.saveExecutionLogs(t.id, [l4, high, l2]);
    await s.saveExecutionLogs(t.id, [l3, low, l1]);
    await s.saveExecutionLogs(other.id, [log(other.id, T, 0)]);
    await s.saveExecutionLogs(t.id, []);
    const expected = [l1, l2, l3, l4, low, high];
    expect(await s.getExecutionLogs(t.id)).toEqual(expected);
    expect(await s.getExecutionLogs(t.id, 1, 2)).toEqual([l2, l3]);
    expect(await s.getExecutionLogs(t.id, 4)).toEqual([low, high]);
    expect(await s.getExecutionLogs(t.id, 6, 10)).toEqual([]);
    expect(await s.getExecutionLogs(t.id, 0, 0)).toEqual([]);
    expect(await s.countExecutionLogs(t.id)).toBe(6);
    expect(await s.countExecutionLogs(other.id)).toBe(1);
    expect(await s.countExecutionLogs(uuidv7())).toBe(0);
  });

  test('getExecutionLogs takes 1,000 rows by default', async (s) => {
    const t = task();
    await s.add([t]);
    const logs = Array.from({ length: 1005 }, (_, i) => log(t.id, T + i, 0));
    await s.saveExecutionLogs(t.id, logs);
    const page = await s.getExecutionLogs(t.id);
    expect(page).toHaveLength(1000);
    expect(page[999]).toEqual(logs[999]);
    expect(await s.getExecutionLogs(t.id, 1000)).toEqual(logs.slice(1000));
    expect(await s.countExecutionLogs(t.id)).toBe(1005);
  });
}

// ---- cleanup -----------------------------------------------------------------------------------

function registerCleanupTests(test: Register): void {
  test('cleanup deletes old finished one-off tasks with their history', async (s) => {
    const old = { updatedAt: T + 10 };
    const gone = [
      task({ status: 'completed', taskKey: 'old-done', ...old }),
      task({ status: 'failed', ...old }),
      task({ status: 'cancelled', ...old }),
    ];
    const kept = [
      task({ status: 'completed', updatedAt: T + 100 }),
      task({ status: 'failed', updatedAt: T + 100 }),
      task({ status: 'completed', recurring: '{"every":"1h"}', ...old }),
      task({ status: 'failed', recurring: '{"every":"1h"}', dueAt: null, ...old }),
      task({ status: 'waiting', ...old }),
      task({ status: 'in-progress', leaseOwner: 'w', leaseExpiresAt: T + 20, ...old }),
      task({ status: 'service-stopped', ...old }),
    ];
    await s.add([...gone, ...kept], { audit: true });
    for (const t of [...gone, ...kept]) await s.saveExecutionLogs(t.id, [log(t.id, T + 5, 0)]);
    const result = await s.cleanup({ completedBefore: T + 100, failedBefore: T + 100 });
    expect(result.tasks).toBe(3);
    for (const t of gone) {
      expect(await s.get(t.id)).toBeUndefined();
      expect(await s.getStatusAudit(t.id)).toEqual([]);
      expect(await s.countExecutionLogs(t.id)).toBe(0);
    }
    expect(await s.getByTaskKey('old-done')).toBeUndefined();
    for (const t of kept) {
      expect(await s.get(t.id)).toEqual(t);
      expect(await s.getStatusAudit(t.id)).toHaveLength(1);
      expect(await s.countExecutionLogs(t.id)).toBe(1);
    }
  });

  test('cleanup applies the completed and failed cutoffs separately', async (s) => {
    const completed = task({ status: 'completed', updatedAt: T + 10 });
    const failed = task({ status: 'failed', updatedAt: T + 10 });
    const cancelled = task({ status: 'cancelled', updatedAt: T + 10 });
    await s.add([completed, failed, cancelled]);
    expect((await s.cleanup({ completedBefore: T + 11 })).tasks).toBe(1);
    expect(await s.get(completed.id)).toBeUndefined();
    expect(await s.get(failed.id)).toBeDefined();
    expect((await s.cleanup({ failedBefore: T + 10 })).tasks).toBe(0);
    expect((await s.cleanup({ failedBefore: T + 11 })).tasks).toBe(2);
    expect((await s.query({})).total).toBe(0);
  });

  test('cleanup deletes audit rows and logs older than the cutoffs', async (s) => {
    const w = task();
    const r = task({ recurring: '{"every":"1m"}' });
    await s.add([w, r]);
    for (const at of [T + 10, T + 20, T + 30]) {
      await s.transition([{ id: w.id, from: ['waiting'], to: 'waiting', at, audit: { error: null } }]);
    }
    for (const at of [T + 15, T + 25]) {
      await s.transition([
        { id: r.id, from: ['waiting'], to: 'waiting', at, runAudit: { at, status: 'completed', executionTimeMs: 1, error: null } },
      ]);
    }
    await s.saveExecutionLogs(w.id, [log(w.id, T + 5, 0), log(w.id, T + 30, 0), log(w.id, T + 35, 0)]);
    const result = await s.cleanup({ auditBefore: T + 20, logsBefore: T + 30 });
    expect(result).toEqual({ tasks: 0, audits: 2, logs: 1 });
    expect((await s.getStatusAudit(w.id)).map((a) => a.at)).toEqual([T + 20, T + 30]);
    expect((await s.getRunAudit(r.id)).map((a) => a.at)).toEqual([T + 25]);
    expect((await s.getExecutionLogs(w.id)).map((l) => l.at)).toEqual([T + 30, T + 35]);
    expect(await s.get(w.id)).toBeDefined();
    expect(await s.get(r.id)).toBeDefined();
  });

  test('cleanup with an empty policy deletes nothing', async (s) => {
    const t = task({ status: 'completed', updatedAt: T });
    await s.add([t], { audit: true });
    await s.saveExecutionLogs(t.id, [log(t.id, T, 0)]);
    expect(await s.cleanup({})).toEqual({ tasks: 0, audits: 0, logs: 0 });
    expect(await s.get(t.id)).toEqual(t);
    expect(await s.getStatusAudit(t.id)).toHaveLength(1);
    expect(await s.countExecutionLogs(t.id)).toBe(1);
  });
}

// ---- lifecycle and validation ------------------------------------------------------------------

function registerLifecycleTests(test: Register): void {
  test('open and close are idempotent', async (s) => {
    await s.open();
    const t = task();
    await s.add([t]);
    await s.open();
    expect(await s.get(t.id)).toEqual(t);
    await s.close();
    await s.close();
  });

  test('declares its capabilities as booleans', async (s) => {
    const flags = s.capabilities;
    for (const key of ['persistent', 'multiProcess', 'notifications', 'transactionalDispatch'] as const) {
      expect(typeof flags[key], key).toBe('boolean');
    }
    if (flags.notifications) {
      expect(typeof s.subscribe).toBe('function');
      expect(typeof s.notify).toBe('function');
    }
  });

  test('rejects invalid arguments with ERR_INVALID_ARGUMENT', async (s) => {
    const t = task();
    await s.add([t]);
    const bad: [string, () => Promise<unknown>][] = [
      ['claimDue limit', () => s.claimDue({ owner: 'o', now: T, limit: -1, leaseMs: LEASE })],
      ['claimDue leaseMs', () => s.claimDue({ owner: 'o', now: T, limit: 1, leaseMs: -5 })],
      ['claimDue now', () => s.claimDue({ owner: 'o', now: Number.NaN, limit: 1, leaseMs: LEASE })],
      ['pending limit', () => s.pending(undefined, -1)],
      ['scheduled limit', () => s.scheduled(T, -1)],
      ['getExecutionLogs skip', () => s.getExecutionLogs(t.id, -1)],
      ['getExecutionLogs take', () => s.getExecutionLogs(t.id, 0, -1)],
      ['query limit', () => s.query({}, { limit: -1 })],
      ['query offset', () => s.query({}, { offset: -1 })],
      ['query sortBy', () => s.query({}, { sortBy: 'payload; drop table x' as TaskSortField })],
      ['transition to', () => s.transition([{ id: t.id, from: ['waiting'], to: 'done' as TaskStatus, at: T }])],
    ];
    for (const [label, call] of bad) {
      let caught: unknown;
      try {
        await call();
      } catch (error) {
        caught = error;
      }
      expect(caught, label).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    }
    expect(await s.get(t.id)).toEqual(t);
  });
}

// ---- notifications -----------------------------------------------------------------------------

async function notifying(s: TaskStorage, context: TestContext): Promise<Required<Pick<TaskStorage, 'subscribe' | 'notify'>>> {
  if (!s.capabilities.notifications || s.subscribe === undefined || s.notify === undefined) {
    context.skip('the storage declares no notifications capability');
  }
  return { subscribe: s.subscribe.bind(s), notify: s.notify.bind(s) };
}

function registerNotificationTests(test: Register): void {
  test('delivers notifications to subscribers until they unsubscribe', async (s, context) => {
    const { subscribe, notify } = await notifying(s, context);
    const a: StorageNotification[] = [];
    const b: StorageNotification[] = [];
    const stopA = await subscribe((n) => a.push(n));
    const stopB = await subscribe((n) => b.push(n));
    const taskId = uuidv7();
    await notify({ kind: 'task-available', dueAt: T + 5, taskId });
    await vi.waitFor(
      () => {
        expect(a).toHaveLength(1);
        expect(b).toHaveLength(1);
      },
      { timeout: 5000, interval: 5 },
    );
    expect(a[0]).toEqual({ kind: 'task-available', dueAt: T + 5, taskId });
    await stopA();
    await notify({ kind: 'task-cancelled', taskId });
    await vi.waitFor(() => expect(b).toHaveLength(2), { timeout: 5000, interval: 5 });
    expect(b[1]).toEqual({ kind: 'task-cancelled', taskId });
    expect(a).toHaveLength(1);
    await stopB();
  });

  test('a throwing listener does not affect the other listeners', async (s, context) => {
    const { subscribe, notify } = await notifying(s, context);
    const received: StorageNotification[] = [];
    await subscribe(() => {
      throw new Error('listener failure');
    });
    await subscribe((n) => received.push(n));
    await notify({ kind: 'task-available' });
    await notify({ kind: 'task-available', dueAt: T });
    await vi.waitFor(() => expect(received).toHaveLength(2), { timeout: 5000, interval: 5 });
    expect(received[0]?.kind).toBe('task-available');
  });
}

// ---- instance registry -------------------------------------------------------------------------

type Registry = Required<Pick<TaskStorage, 'heartbeatInstance' | 'removeInstance' | 'listInstances'>>;

function registry(s: TaskStorage, context: TestContext): Registry {
  const { heartbeatInstance, removeInstance, listInstances } = s;
  const present = [heartbeatInstance, removeInstance, listInstances].filter((m) => m !== undefined).length;
  // all three or none: an adapter with half a registry would register instances nobody lists or removes
  expect(present === 0 || present === 3, 'heartbeatInstance, removeInstance and listInstances come together').toBe(true);
  if (heartbeatInstance === undefined || removeInstance === undefined || listInstances === undefined) {
    context.skip('the storage has no instance registry');
  }
  return { heartbeatInstance: heartbeatInstance.bind(s), removeInstance: removeInstance.bind(s), listInstances: listInstances.bind(s) };
}

function instance(overrides: Partial<InstanceRecord> = {}): InstanceRecord {
  return { id: 'host-a:101:abc', hostname: 'host-a', pid: 101, startedAt: T, heartbeatAt: T, expiresAt: T + LEASE, queues: ['default'], ...overrides };
}

function registerInstanceTests(test: Register): void {
  test('registers instances, refreshes them by id and lists them by start time', async (s, context) => {
    const r = registry(s, context);
    expect(await r.listInstances()).toEqual([]);
    const b = instance({ id: 'host-b:7:x', hostname: 'host-b', pid: 7, startedAt: T + 5, heartbeatAt: T + 5, expiresAt: T + 5 + LEASE, queues: ['mail', 'default'] });
    const a = instance();
    await r.heartbeatInstance(b);
    await r.heartbeatInstance(a);
    expect(await r.listInstances()).toEqual([a, b]);
    const refreshed = { ...a, heartbeatAt: T + 10_000, expiresAt: T + 10_000 + LEASE };
    await r.heartbeatInstance(refreshed);
    expect(await r.listInstances()).toEqual([refreshed, b]);
  });

  test('removes an instance; removing an unknown one is not an error', async (s, context) => {
    const r = registry(s, context);
    const a = instance();
    const b = instance({ id: 'other', startedAt: T + 1 });
    await r.heartbeatInstance(a);
    await r.heartbeatInstance(b);
    await r.removeInstance(a.id);
    await r.removeInstance('never-registered');
    expect(await r.listInstances()).toEqual([b]);
  });

  test('lists an expired instance, then forgets it an hour after its expiry', async (s, context) => {
    const r = registry(s, context);
    const dead = instance({ id: 'dead' });
    await r.heartbeatInstance(dead);
    const live = instance({ id: 'live', startedAt: T + 1, heartbeatAt: T + 60_000, expiresAt: T + 60_000 + LEASE });
    await r.heartbeatInstance(live);
    expect((await r.listInstances()).map((i) => i.id)).toEqual(['dead', 'live']);
    const later = dead.expiresAt + 3_600_000 + 1;
    await r.heartbeatInstance({ ...live, heartbeatAt: later, expiresAt: later + LEASE });
    expect((await r.listInstances()).map((i) => i.id)).toEqual(['live']);
  });

  test('rejects a malformed instance record naming the field, and stores nothing', async (s, context) => {
    const r = registry(s, context);
    const bad: [string, unknown][] = [
      ['id', instance({ id: '' })],
      ['pid', instance({ pid: -1 })],
      ['heartbeatAt', instance({ heartbeatAt: Number.NaN })],
      ['queues', instance({ queues: [''] })],
      ['instance', null],
    ];
    for (const [field, value] of bad) {
      let caught: unknown;
      try {
        await r.heartbeatInstance(value as InstanceRecord);
      } catch (error) {
        caught = error;
      }
      expect(caught, field).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
      expect((caught as Error).message, field).toContain(field);
    }
    await rejectsWithCode(r.removeInstance('' as string), 'ERR_INVALID_ARGUMENT');
    expect(await r.listInstances()).toEqual([]);
  });
}
