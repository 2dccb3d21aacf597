import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskStorage } from '../ports/task-storage.js';
import type { TaskStatus } from '../ports/task-record.js';
import type { EverTaskOptions } from '../options.js';
import { EverTask } from '../ever-task.js';
import { defineTask } from '../define-task.js';
import { linearRetry, noRetry } from '../retry/retry-policy.js';
import { silentLogger } from '../logger.js';
import { registerRetentionEngineTests } from './retention-engine-conformance.js';
import { registerManagementEngineTests } from './management-engine-conformance.js';

/** Options of `describeEngineConformance`. */
export interface EngineConformanceOptions {
  /**
   * A second handle on the same data as `storage` (a new connection, a reopened file): used to
   * prove that a restarted engine picks up what a stopped one left. Defaults to the same instance.
   */
  reopen?: (storage: TaskStorage) => TaskStorage | Promise<TaskStorage>;
  /** Called after each test with the storage it used (drop a schema, delete a file…). */
  destroy?: (storage: TaskStorage) => Promise<void>;
}

type Storages = { list: TaskStorage[] };

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(value)})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Registers an end-to-end suite that runs the real engine on a storage: dispatch, delays,
 * retries, cancellation, task keys, audit levels, execution logs, recurring series, a
 * graceful stop followed by a restart, and retention shared by two engines. It complements `describeStorageConformance` (the contract
 * method by method) by proving that the engine and the storage work together.
 *
 * `createStorage` must return a fresh, empty storage each time.
 */
export function describeEngineConformance(
  name: string,
  createStorage: () => TaskStorage | Promise<TaskStorage>,
  options: EngineConformanceOptions = {},
): void {
  describe(`${name} — engine conformance`, () => {
    const storages: Storages = { list: [] };
    const engines: EverTask[] = [];
    let storage: TaskStorage;

    beforeEach(async () => {
      storage = await createStorage();
      storages.list.push(storage);
    });

    afterEach(async () => {
      await Promise.allSettled(engines.splice(0).map((e) => e.stop({ timeout: 100 })));
      for (const s of storages.list.splice(0).reverse()) {
        await s.close().catch(() => undefined);
      }
      if (options.destroy) await options.destroy(storage);
    });

    function engine(extra: Partial<EverTaskOptions> & Pick<EverTaskOptions, 'tasks'>, on: TaskStorage = storage): EverTask {
      const e = new EverTask({ storage: on, logger: silentLogger, sweepInterval: '200ms', ...extra });
      engines.push(e);
      return e;
    }

    const statusOf = (e: EverTask, id: string) => async () => (await e.getTask(id))?.status;
    const reach = (e: EverTask, id: string, status: TaskStatus) =>
      waitFor(`task ${id} to be ${status}`, statusOf(e, id), (s) => s === status);

    it('runs a dispatched task with its payload and records it', async () => {
      const seen: unknown[] = [];
      const task = defineTask({ name: 'echo', handler: (p: { n: number; s: string }) => void seen.push(p) });
      const e = engine({ tasks: [task] });
      await e.start();
      const id = await e.dispatch(task, { n: 1, s: 'é✓' });
      await reach(e, id, 'completed');
      expect(seen).toEqual([{ n: 1, s: 'é✓' }]);
      const info = await e.getTask(id);
      expect(info).toMatchObject({ attempts: 1, error: null, payload: { n: 1, s: 'é✓' } });
      expect((await storage.getStatusAudit(id)).map((a) => a.status)).toEqual(['queued', 'in-progress', 'completed']);
    });

    it('runs a delayed task after its delay, not before', async () => {
      let ranAt = 0;
      const task = defineTask({ name: 'later', handler: () => void (ranAt = Date.now()) });
      const e = engine({ tasks: [task] });
      await e.start();
      const sentAt = Date.now();
      const id = await e.dispatch(task, null, { delay: 300 });
      expect(await statusOf(e, id)()).toBe('waiting');
      await reach(e, id, 'completed');
      expect(ranAt - sentAt).toBeGreaterThanOrEqual(295);
    });

    it('retries through storage and fails for good after the last attempt', async () => {
      let calls = 0;
      const flaky = defineTask({ name: 'flaky', retry: linearRetry(2, 30), handler: () => {
        if (++calls < 3) throw new Error(`try ${calls}`);
      } });
      const broken = defineTask({ name: 'broken', retry: linearRetry(1, 10), handler: () => {
        throw new Error('always');
      } });
      const e = engine({ tasks: [flaky, broken] });
      await e.start();
      const a = await e.dispatch(flaky, null);
      const b = await e.dispatch(broken, null, { auditLevel: 'errors-only' });
      await reach(e, a, 'completed');
      await reach(e, b, 'failed');
      expect((await e.getTask(a))?.attempts).toBe(3);
      const failed = await e.getTask(b);
      expect(failed?.attempts).toBe(2);
      expect(failed?.error).toContain('always');
      // errors-only: the retry wait (carrying the error) and the failure
      expect((await storage.getStatusAudit(b)).map((x) => x.status)).toEqual(['waiting', 'failed']);
    });

    it('cancels a waiting task so that it never runs', async () => {
      let runs = 0;
      const task = defineTask({ name: 'never', handler: () => void runs++ });
      const e = engine({ tasks: [task] });
      await e.start();
      const id = await e.dispatch(task, null, { delay: 200 });
      expect(await e.cancel(id)).toBe(true);
      await new Promise((r) => setTimeout(r, 400));
      expect(runs).toBe(0);
      expect(await statusOf(e, id)()).toBe('cancelled');
      expect(await e.cancel(id)).toBe(false);
    });

    it('holds the whole instant range the engine accepts and refuses what lies beyond it, storing nothing', async () => {
      const task = defineTask({ name: 'far', handler: () => {} });
      const e = engine({ tasks: [task] });
      await e.start();
      const last = await e.dispatch(task, null, { runAt: new Date('9999-12-31T23:59:59.999Z') });
      const first = await e.dispatch(task, null, { runAt: new Date('0001-01-01T00:00:00.000Z') });
      expect((await e.getTask(last))?.dueAt?.toISOString()).toBe('9999-12-31T23:59:59.999Z');
      expect((await e.getTask(first))?.scheduledAt?.toISOString()).toBe('0001-01-01T00:00:00.000Z');
      await expect(e.dispatch(task, null, { delay: 1e300 })).rejects.toThrow(/delay/);
      await expect(e.dispatch(task, null, { runAt: new Date('+010000-01-01T00:00:00Z') })).rejects.toThrow(/runAt/);
      expect((await storage.query({})).total).toBe(2);
    });

    it('keeps one task per key', async () => {
      const task = defineTask({ name: 'keyed', handler: () => {} });
      const e = engine({ tasks: [task] });
      await e.start();
      const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => e.dispatch(task, null, { taskKey: 'only-one', delay: 5_000 + i })));
      expect(new Set(ids).size).toBe(1);
      expect((await storage.query({ taskKey: 'only-one' })).total).toBe(1);
    });

    it('claims only the task names it registers: a task no running engine knows waits, visible, for one that does', async () => {
      const known = defineTask({ name: 'known-everywhere', handler: () => {} });
      const added = defineTask({ name: 'added-in-new-release', handler: () => {} });
      // a new release stored a task, then its instance stopped (a rolling deploy rolled back)
      const newRelease = engine({ tasks: [known, added], instanceId: 'new-release' });
      await newRelease.start();
      // due late enough that the new release stops before it could run it, even on a loaded machine
      const dueAt = Date.now() + 1_500;
      const waiting = await newRelease.dispatch(added, null, { runAt: new Date(dueAt) });
      await newRelease.stop();
      const oldRelease = engine({ tasks: [known], instanceId: 'old-release' });
      await oldRelease.start();
      // a claim round after the unknown task fell due: it takes the known one only
      const ran = await oldRelease.dispatch(known, null, { runAt: new Date(dueAt + 300) });
      await reach(oldRelease, ran, 'completed');
      expect(await oldRelease.getTask(waiting)).toMatchObject({ status: 'waiting', attempts: 0, error: null });
      expect((await storage.getStatusAudit(waiting)).map((a) => a.status)).toEqual(['waiting']);
      const alive = (await oldRelease.instances()).filter((i) => i.alive);
      expect(alive.map((i) => [i.id, i.taskNames])).toEqual([['old-release', ['known-everywhere']]]);
      const back = engine({ tasks: [known, added], instanceId: 'new-release-again' });
      await back.start();
      await reach(back, waiting, 'completed');
    });

    it('re-dispatching a finished keyed task replaces it in one step, once across engines, keeping its history', async () => {
      const report = defineTask({ name: 'daily-report', handler: () => {} });
      const first = engine({ tasks: [report], instanceId: 'first' });
      const second = engine({ tasks: [report], instanceId: 'second' });
      await first.start();
      await second.start();
      const finished = await first.dispatch(report, null, { taskKey: 'daily' });
      await reach(first, finished, 'completed');
      await waitFor('the completed audit row', () => storage.getStatusAudit(finished), (rows) => rows.at(-1)?.status === 'completed');
      const again = await Promise.all([
        first.dispatch(report, null, { taskKey: 'daily', delay: 60_000 }),
        second.dispatch(report, null, { taskKey: 'daily', delay: 60_000 }),
      ]);
      expect(new Set(again).size).toBe(1);
      const next = again[0] as string;
      expect(next).not.toBe(finished);
      expect(await first.getTask(finished)).toBeUndefined();
      expect((await storage.query({ taskKey: 'daily' })).items.map((t) => t.id)).toEqual([next]);
      expect((await storage.getStatusAudit(next)).map((row) => row.status)).toEqual(['queued', 'in-progress', 'completed', 'waiting']);
    });

    it('stores captured execution logs with the final status', async () => {
      const task = defineTask({ name: 'chatty', handler: (_: null, ctx) => {
        ctx.logger.information('step {n}', 1);
        ctx.logger.warning('step {n}', 2);
      } });
      const e = engine({ tasks: [task], defaults: { logs: { enabled: true } } });
      await e.start();
      const id = await e.dispatch(task, null);
      await reach(e, id, 'completed');
      const logs = await waitFor('logs', () => storage.getExecutionLogs(id), (l) => l.length === 2);
      expect(logs.map((l) => [l.level, l.message])).toEqual([
        ['information', 'step 1'],
        ['warning', 'step 2'],
      ]);
    });

    it('reads a task\'s history and its logs with Dates, paged and filtered by level', async () => {
      const task = defineTask({ name: 'audited', retry: linearRetry(1, 10), handler: (_: null, ctx) => {
        for (let i = 0; i < 5; i++) ctx.logger.information('line {i} of attempt {a}', i, ctx.attempt);
        if (ctx.attempt === 1) {
          ctx.logger.error('attempt {a} failed', ctx.attempt, new Error('first try'));
          throw new Error('first try');
        }
        ctx.logger.warning('recovered');
      } });
      const e = engine({ tasks: [task], defaults: { logs: { enabled: true } } });
      await e.start();
      const id = await e.dispatch(task, null);
      await reach(e, id, 'completed');
      const history = await waitFor('history', () => e.getTaskHistory(id), (h) => h.statuses.at(-1)?.status === 'completed');
      expect(history.taskId).toBe(id);
      const statuses = history.statuses.map((x) => x.status);
      expect(statuses.slice(0, 3)).toEqual(['queued', 'in-progress', 'waiting']);
      expect(statuses.at(-1)).toBe('completed');
      expect(statuses.filter((x) => x === 'in-progress')).toHaveLength(2);
      expect(history.statuses.every((x) => x.at instanceof Date && !Number.isNaN(x.at.getTime()))).toBe(true);
      expect(history.statuses.map((x) => x.at.getTime())).toEqual(history.statuses.map((x) => x.at.getTime()).sort((a, b) => a - b));
      expect(history.statuses[2]?.error).toContain('first try');
      expect(history.runs).toEqual([]);
      const all = await waitFor('logs', () => e.getTaskLogs(id), (p) => p.total === 12);
      expect(all.items).toHaveLength(12);
      expect(all.items[0]).toMatchObject({ level: 'information', message: 'line 0 of attempt 1', exception: null });
      expect(all.items[0]?.at).toBeInstanceOf(Date);
      const page = await e.getTaskLogs(id, { skip: 4, take: 3 });
      expect(page).toMatchObject({ total: 12 });
      expect(page.items.map((l) => l.message)).toEqual(['line 4 of attempt 1', 'attempt 1 failed', 'line 0 of attempt 2']);
      const warnings = await e.getTaskLogs(id, { level: 'warning' });
      expect(warnings.total).toBe(2);
      expect(warnings.items.map((l) => [l.level, l.message])).toEqual([['error', 'attempt 1 failed'], ['warning', 'recovered']]);
      expect(warnings.items[0]?.exception).toContain('first try');
      const secondWarning = await e.getTaskLogs(id, { level: 'warning', skip: 1, take: 5 });
      expect(secondWarning).toMatchObject({ total: 2, items: [{ message: 'recovered' }] });
      expect(await e.getTaskHistory('0190a4a8-0000-7000-8000-000000000000')).toEqual({ taskId: '0190a4a8-0000-7000-8000-000000000000', statuses: [], runs: [] });
      await expect(e.getTaskLogs(id, { take: 0 })).rejects.toThrow(/take must be an integer from 1 to 1000/);
      await expect(e.getTaskLogs(id, { skip: -1 })).rejects.toThrow(/skip/);
      await expect(e.getTaskLogs(id, { level: 'loud' as never })).rejects.toThrow(/level must be one of/);
      await expect(e.getTaskLogs(id, { limit: 5 } as never)).rejects.toThrow(/Unknown getTaskLogs options key "limit"/);
      await expect(e.getTaskHistory('')).rejects.toThrow(/task id/);
    });

    it('drains a batch from dispatchMany', async () => {
      let runs = 0;
      const task = defineTask({ name: 'bulk', handler: () => void runs++ });
      const e = engine({ tasks: [task], defaults: { auditLevel: 'none' } });
      await e.start();
      const ids = await e.dispatchMany(task, Array.from({ length: 500 }, () => null));
      expect(new Set(ids).size).toBe(500);
      await waitFor('all 500 to complete', () => storage.query({ statuses: ['completed'] }, { limit: 1 }), (r) => r.total === 500);
      expect(runs).toBe(500);
    });

    it('runs a recurring series and counts its runs', async () => {
      const task = defineTask({ name: 'tick', retry: noRetry(), handler: () => {} });
      const e = engine({ tasks: [task] });
      await e.start();
      const id = await e.dispatch(task, null, { recurring: (s) => s.runNow().then().every(1).seconds().maxRuns(3), taskKey: 'ticker' });
      const info = await waitFor('three runs', () => e.getTask(id), (t) => t?.status === 'completed', 8_000);
      expect(info?.recurring).toMatchObject({ runCount: 3, lastOutcome: 'completed' });
      expect((await storage.getRunAudit(id)).map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
      const history = await e.getTaskHistory(id);
      expect(history.runs.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
      expect(history.runs.every((r) => r.at instanceof Date && r.executionTimeMs >= 0)).toBe(true);
    });

    it('stores interrupted tasks as service-stopped at stop and runs them again after a restart', async () => {
      let runs = 0;
      const errors: string[] = [];
      const task = defineTask({
        name: 'long',
        handler: async (_: null, ctx) => {
          runs++;
          if (runs > 1) return;
          await new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
        },
        onError: (_ctx, error) => void errors.push(error.message),
      });
      const first = engine({ tasks: [task] });
      await first.start();
      const id = await first.dispatch(task, null);
      const later = await first.dispatch(task, null, { delay: 600 });
      await reach(first, id, 'in-progress');
      await first.stop({ timeout: 50 });
      expect(await statusOf(first, id)()).toBe('service-stopped');
      const reopened = options.reopen ? await options.reopen(storage) : storage;
      if (reopened !== storage) storages.list.push(reopened);
      const second = engine({ tasks: [task] }, reopened);
      await second.start();
      await reach(second, id, 'completed');
      await reach(second, later, 'completed');
      expect(runs).toBe(3);
      expect(errors).toEqual([]); // a graceful shutdown is not an error: the task ran again
    });

    const reopen = async (): Promise<TaskStorage> => {
      const reopened = options.reopen ? await options.reopen(storage) : storage;
      if (reopened !== storage) storages.list.push(reopened);
      return reopened;
    };
    describe('retention', () => registerRetentionEngineTests({ storage: () => storage, engine, reopen }));
    describe('management actions', () => registerManagementEngineTests({ storage: () => storage, engine, reopen }));
  });
}
