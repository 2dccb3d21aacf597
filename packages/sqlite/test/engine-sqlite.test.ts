/** Engine behaviour on SQLite in one process: poison rows, stop then start. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { defineTask, EverTask, silentLogger, type EverTaskEvents } from 'evertask';
import { ManualClock } from 'evertask/testing';
import { SqliteStorage } from '../src/index.js';
import { makeTask, T0, tempDir, until } from './helpers.js';

describe('EverTask on SQLite', () => {
  let tmp: ReturnType<typeof tempDir>;
  const engines: EverTask[] = [];

  beforeEach(() => {
    tmp = tempDir();
  });

  afterEach(async () => {
    for (const e of engines.splice(0)) await e.stop({ closeStorage: true });
    tmp.cleanup();
  });

  function track(engine: EverTask): EverTask {
    engines.push(engine);
    return engine;
  }

  it('poison rows (unparsable payload, payload failing the schema) fail after poisonAttempts; a row of an unknown name waits unclaimed; other tasks run', async () => {
    const file = tmp.file();
    const clock = new ManualClock(T0);
    const done: number[] = [];
    const job = defineTask({ name: 'job', handler: (p: { i: number }) => void done.push(p.i) });
    const strict = defineTask({ name: 'strict', schema: z.object({ n: z.number().int() }), handler: (p) => void done.push(1000 + p.n) });
    const storage = new SqliteStorage({ filename: file });
    await storage.open();
    const unknown = makeTask({ name: 'renamed-long-ago', payload: '{}' });
    const unparsable = makeTask({ name: 'job', payload: '{"i":1}' });
    const invalid = makeTask({ name: 'strict', payload: '{"n":"seven"}' });
    const good = [makeTask({ name: 'job', payload: '{"i":7}' }), makeTask({ name: 'strict', payload: '{"n":8}' })];
    await storage.add([unknown, unparsable, invalid, ...good], { audit: true });
    // a payload that no longer parses, written behind the storage's back
    const db = new Database(file);
    db.prepare(`UPDATE evertask_tasks SET payload = '{"i": oops' WHERE id = ?`).run(unparsable.id);
    db.close();

    const engine = track(new EverTask({ storage, clock, tasks: [job, strict], logger: silentLogger, poisonAttempts: 3 }));
    const poisoned: EverTaskEvents['task:poisoned'][] = [];
    engine.on('task:poisoned', (e) => poisoned.push(e));
    await engine.start();
    const bad = [unparsable.id, invalid.id];
    const failedAll = async () => (await engine.queryTasks({ ids: bad, statuses: ['failed'] })).total === 2;
    // attempts at T0, T0 + 1 s, T0 + 3 s (backoff 1 s, then 2 s)
    await until(() => poisoned.length === 2, 5000, 'the first poison round');
    await clock.advance(999);
    expect(poisoned).toHaveLength(2);
    await clock.advance(1);
    await until(() => poisoned.length === 4, 5000, 'the second poison round');
    await clock.advance(1999);
    expect(poisoned).toHaveLength(4);
    await clock.advance(1);
    await until(() => poisoned.length === 6, 5000, 'the third poison round');
    await until(failedAll, 5000, 'the poison rows to be failed');
    expect(await failedAll()).toBe(true);
    await until(() => done.length === 2, 5000, 'the good tasks');
    expect(done.sort((a, b) => a - b)).toEqual([7, 1008]);

    for (const id of bad) {
      const events = poisoned.filter((e) => e.taskId === id);
      expect(events.map((e) => e.final)).toEqual([false, false, true]);
    }
    const byId = new Map((await storage.query({ ids: bad })).items.map((t) => [t.id, t]));
    for (const id of bad) {
      const t = byId.get(id);
      expect(t?.status).toBe('failed');
      expect(t?.recoveryFailures).toBe(3);
      expect(t?.attempts).toBe(0); // never started a handler
      expect(t?.leaseOwner).toBeNull();
      expect(t?.error).toMatch(new RegExp(`^Task ${id} \\("[a-z-]+"\\) cannot be run: `));
    }
    expect(byId.get(unparsable.id)?.error).toMatch(/JSON/);
    expect(byId.get(invalid.id)?.error).toMatch(/\bn\b/);
    // no instance here runs "renamed-long-ago": the row waits as it was stored, never claimed
    expect(await storage.get(unknown.id)).toEqual(unknown);
    expect(poisoned.some((e) => e.taskId === unknown.id)).toBe(false);
    const audit = await storage.getStatusAudit(invalid.id);
    expect(audit.at(-1)).toMatchObject({ status: 'failed' });
    expect(audit.at(-1)?.error).toMatch(/cannot be run/);

    // the engine is still taking work
    const after = await engine.dispatch(job, { i: 99 });
    await until(async () => (await engine.getTask(after))?.status === 'completed', 5000, 'a task dispatched after the poison');
  });

  it('stop() then start() on the same engine: tasks interrupted as service-stopped run again', async () => {
    const file = tmp.file();
    const runs = new Map<number, number>();
    let holdFirstRuns = true;
    const slow = defineTask({
      name: 'slow',
      handler: async (payload: { i: number }, ctx) => {
        runs.set(payload.i, (runs.get(payload.i) ?? 0) + 1);
        if (!holdFirstRuns) return;
        await new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error)));
      },
    });
    const engine = track(new EverTask({ storage: new SqliteStorage({ filename: file }), tasks: [slow], logger: silentLogger, queues: { default: { concurrency: 2 } } }));
    await engine.start();
    const ids = await engine.dispatchMany(slow, [{ i: 0 }, { i: 1 }, { i: 2 }, { i: 3 }]);
    await until(() => runs.size === 2, 5000, 'two tasks to start');
    await engine.stop({ timeout: 50 });
    const after = await Promise.all(ids.map(async (id) => (await engine.getTask(id))?.status));
    expect(after.filter((s) => s === 'service-stopped')).toHaveLength(2);
    expect(after.filter((s) => s === 'waiting')).toHaveLength(2); // buffered ones were handed back

    holdFirstRuns = false;
    await engine.start();
    await until(async () => (await engine.queryTasks({ statuses: ['completed'] })).total === 4, 5000, 'all four to complete after the restart');
    expect([...runs.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [0, 2],
      [1, 2],
      [2, 1],
      [3, 1],
    ]);
    // and it keeps taking new work
    const more = await engine.dispatch(slow, { i: 9 });
    await until(async () => (await engine.getTask(more))?.status === 'completed', 5000, 'a new dispatch to complete');
  });

  it('stop() then a new engine on the same file: service-stopped tasks run again', async () => {
    const file = tmp.file();
    let firstEngine = true;
    const seen: string[] = [];
    const slow = defineTask({
      name: 'slow',
      handler: async (_payload: null, ctx) => {
        seen.push(ctx.taskId);
        if (!firstEngine) return;
        await new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error)));
      },
    });
    const first = new EverTask({ storage: new SqliteStorage({ filename: file }), tasks: [slow], logger: silentLogger });
    await first.start();
    const id = await first.dispatch(slow, null);
    await until(() => seen.length === 1, 5000, 'the task to start');
    await first.stop({ timeout: 20, closeStorage: true });

    const db = new Database(file, { readonly: true });
    expect(db.prepare(`SELECT status, lease_owner FROM evertask_tasks WHERE id = ?`).get(id)).toEqual({ status: 'service-stopped', lease_owner: null });
    db.close();

    firstEngine = false;
    const second = track(new EverTask({ storage: new SqliteStorage({ filename: file }), tasks: [slow], logger: silentLogger }));
    await second.start();
    await until(async () => (await second.getTask(id))?.status === 'completed', 5000, 'the task to complete');
    expect(seen).toEqual([id, id]);
    expect((await second.getTask(id))?.attempts).toBe(2);
  });
  it("has no event feed (no notification channel): eventFeed 'always' and remote:task subscribers change nothing", async () => {
    const file = tmp.file();
    const job = defineTask({ name: 'job', handler: async () => undefined });
    const a = track(new EverTask({ storage: new SqliteStorage({ filename: file }), tasks: [job], logger: silentLogger, eventFeed: 'always' }));
    const b = track(new EverTask({ storage: new SqliteStorage({ filename: file }), tasks: [job], logger: silentLogger, eventFeed: 'always' }));
    const remote: EverTaskEvents['remote:task'][] = [];
    a.on('remote:task', (e) => remote.push(e));
    b.on('remote:task', (e) => remote.push(e));
    await a.start();
    await b.start();
    expect(a.storage.notifications).toBeUndefined();
    const completed = b.once('task:completed');
    const id = await b.dispatch(job, null);
    expect((await completed).taskId).toBe(id);
    expect(remote).toEqual([]);
  });
});
