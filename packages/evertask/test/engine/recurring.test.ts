import { describe, expect, it } from 'vitest';
import { defineTask, EverTask, type EverTaskOptions, InvalidScheduleError, MemoryStorage, nextOccurrences, noRetry, silentLogger, TaskKeyConflictError } from '../../src/index.js';
import { ManualClock, settle } from '../../src/testing/index.js';
import { stopEnginesAfterEach } from './helpers.js';

const track = stopEnginesAfterEach();

function engineOn(storage: MemoryStorage, clock: ManualClock, tasks: EverTaskOptions["tasks"]) {
  return track(new EverTask({ storage, clock, tasks, logger: silentLogger }));
}

/** Advances in steps so that every timer chain settles. */
async function advanceBy(clock: ManualClock, ms: number, step = 1000) {
  for (let t = 0; t < ms; t += step) {
    await clock.advance(Math.min(step, ms - t));
    await settle(10);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('recurring tasks in the engine', () => {
  it('fires on the schedule in its time zone, from the scheduled time, and lists the series', async () => {
    const clock = new ManualClock(Date.parse('2026-07-01T00:00:00Z'));
    const runs: string[] = [];
    const task = defineTask({ name: 'nightly', handler: (_: null, ctx) => void runs.push(iso(ctx.occurrence!.scheduledAt)) });
    const storage = new MemoryStorage();
    const engine = engineOn(storage, clock, [task]);
    await engine.start();
    const id = await engine.dispatch(task, null, { recurring: (s) => s.everyDay().atTime('03:00').timeZone('Europe/Rome'), taskKey: 'nightly' });
    const [series] = await engine.recurring();
    expect(series).toMatchObject({ id, description: expect.stringContaining('03:00'), runCount: 0, queue: 'recurring' });
    expect(series?.description).toContain('Europe/Rome');
    expect(iso(series!.nextRunAt!.getTime())).toBe('2026-07-01T01:00:00.000Z'); // 03:00 CEST = 01:00Z
    await advanceBy(clock, 5 * 86_400_000 - 3_600_000, 3_600_000);
    // 03:00 in Rome is 01:00Z in summer (UTC+2)
    expect(runs).toEqual(['2026-07-01T01:00:00.000Z', '2026-07-02T01:00:00.000Z', '2026-07-03T01:00:00.000Z', '2026-07-04T01:00:00.000Z', '2026-07-05T01:00:00.000Z']);
    const task2 = await engine.getTask(id);
    expect(task2?.status).toBe('waiting');
    expect(iso(task2!.dueAt!.getTime())).toBe('2026-07-06T01:00:00.000Z');
  });

  it('stops after maxRuns and records each run', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    let runs = 0;
    const task = defineTask({ name: 'thrice', handler: () => void runs++ });
    const storage = new MemoryStorage();
    const engine = engineOn(storage, clock, [task]);
    await engine.start();
    const id = await engine.dispatch(task, null, { recurring: (s) => s.every(10).seconds().maxRuns(3) });
    await advanceBy(clock, 60_000);
    expect(runs).toBe(3);
    const info = await engine.getTask(id);
    expect(info?.status).toBe('completed');
    expect(info?.recurring).toMatchObject({ runCount: 3, lastOutcome: 'completed' });
    expect((await storage.getRunAudit(id)).map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
    const [series] = await engine.recurring();
    expect(series?.nextRunAt).toBeNull();
  });

  it('keeps the series going after a failed run and ends it durably on cancel', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    let runs = 0;
    const task = defineTask({ name: 'sometimes', retry: noRetry(), handler: () => {
      runs++;
      if (runs === 2) throw new Error('bad minute');
    } });
    const storage = new MemoryStorage();
    const engine = engineOn(storage, clock, [task]);
    await engine.start();
    const id = await engine.dispatch(task, null, { recurring: (s) => s.everyMinute() });
    await advanceBy(clock, 3 * 60_000, 10_000);
    expect(runs).toBe(3);
    const info = await engine.getTask(id);
    expect(info?.recurring?.runCount).toBe(3);
    expect((await storage.getRunAudit(id)).map((r) => r.status)).toEqual(['completed', 'failed', 'completed']);
    expect(await engine.cancel(id)).toBe(true);
    await advanceBy(clock, 5 * 60_000, 10_000);
    expect(runs).toBe(3);
    expect((await engine.getTask(id))?.status).toBe('cancelled');
  });

  it('re-registers a keyed series in place, keeping its run count and plan, never duplicating it', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const seen: string[] = [];
    const task = defineTask({ name: 'report', handler: (p: { v: string }) => void seen.push(p.v) });
    const storage = new MemoryStorage();
    const engine = engineOn(storage, clock, [task]);
    await engine.start();
    const a = await engine.dispatch(task, { v: 'one' }, { recurring: (s) => s.everyHour().atMinute(30), taskKey: 'report' });
    await advanceBy(clock, 2 * 3_600_000, 600_000);
    expect(seen).toEqual(['one', 'one']);
    const plannedBefore = (await engine.getTask(a))?.dueAt?.getTime();
    const b = await engine.dispatch(task, { v: 'two' }, { recurring: (s) => s.everyHour().atMinute(30), taskKey: 'report' });
    expect(b).toBe(a);
    const info = await engine.getTask(a);
    expect(info?.recurring?.runCount).toBe(2);
    expect(info?.dueAt?.getTime()).toBe(plannedBefore);
    expect(info?.payload).toEqual({ v: 'two' });
    // a changed schedule takes effect at once
    const c = await engine.dispatch(task, { v: 'three' }, { recurring: (s) => s.everyDay().atTime('12:00'), taskKey: 'report' });
    expect(c).toBe(a);
    expect(iso((await engine.getTask(a))!.dueAt!.getTime())).toBe('2026-01-01T12:00:00.000Z');
    expect((await storage.query({ taskKey: 'report' })).total).toBe(1);
    await expect(engine.dispatch(task, { v: 'x' }, { taskKey: 'report' })).rejects.toThrow(TaskKeyConflictError);
    await expect(engine.dispatch(task, { v: 'x' }, { taskKey: 'report' })).rejects.toThrow(/recurring/);
  });

  it('skips forward after downtime, counting missed occurrences instead of replaying them', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    let runs = 0;
    const task = defineTask({ name: 'minutely', handler: () => void runs++ });
    const storage = new MemoryStorage();
    const first = engineOn(storage, clock, [task]);
    await first.start();
    const id = await first.dispatch(task, null, { recurring: (s) => s.everyMinute() });
    await advanceBy(clock, 60_000, 10_000);
    expect(runs).toBe(1);
    await first.stop();
    await clock.advance(10 * 60_000 + 30_000); // down for 10.5 minutes
    const second = engineOn(storage, clock, [task]);
    const missed = second.once('recurring:missed');
    await second.start();
    await settle(20);
    const event = await missed;
    expect(event.missed).toBeGreaterThanOrEqual(9);
    expect(runs).toBe(1);
    expect(iso(event.nextAt!)).toBe('2026-01-01T00:12:00.000Z');
    await advanceBy(clock, 60_000, 10_000);
    expect(runs).toBe(2);
    expect((await second.getTask(id))?.recurring?.runCount).toBe(2);
  });

  it('with catchUp(), runs the last missed occurrence once after downtime, then is back on schedule', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const runs: { scheduledAt: string; ranAt: string }[] = [];
    const task = defineTask({
      name: 'catching-up',
      handler: (_: null, ctx) => void runs.push({ scheduledAt: iso(ctx.occurrence!.scheduledAt), ranAt: iso(clock.now()) }),
    });
    const storage = new MemoryStorage();
    const first = engineOn(storage, clock, [task]);
    await first.start();
    const id = await first.dispatch(task, null, { recurring: (s) => s.everyMinute().catchUp() });
    await advanceBy(clock, 60_000, 10_000);
    expect(runs).toEqual([{ scheduledAt: '2026-01-01T00:01:00.000Z', ranAt: '2026-01-01T00:01:00.000Z' }]);
    await first.stop();
    await clock.advance(10 * 60_000 + 30_000); // down from 00:01:00 to 00:11:30: 00:02 … 00:11 passed
    const second = engineOn(storage, clock, [task]);
    const missed = second.once('recurring:missed');
    await second.start();
    await settle(20);
    // the last missed occurrence (00:11) runs once, now; the nine before it are counted, not replayed
    expect(runs).toHaveLength(2);
    expect(runs[1]).toEqual({ scheduledAt: '2026-01-01T00:11:00.000Z', ranAt: '2026-01-01T00:11:30.000Z' });
    const event = await missed;
    expect(event.missed).toBe(9);
    const waiting = await second.getTask(id);
    expect(waiting?.status).toBe('waiting');
    expect(iso(waiting!.dueAt!.getTime())).toBe('2026-01-01T00:12:00.000Z');
    // back on schedule: one run per minute on the minute, no further catch-up
    await advanceBy(clock, 2 * 60_000 + 30_000, 10_000);
    expect(runs.slice(2)).toEqual([
      { scheduledAt: '2026-01-01T00:12:00.000Z', ranAt: '2026-01-01T00:12:00.000Z' },
      { scheduledAt: '2026-01-01T00:13:00.000Z', ranAt: '2026-01-01T00:13:00.000Z' },
      { scheduledAt: '2026-01-01T00:14:00.000Z', ranAt: '2026-01-01T00:14:00.000Z' },
    ]);
    const info = await second.getTask(id);
    expect(info?.recurring?.runCount).toBe(5);
    expect(iso(info!.dueAt!.getTime())).toBe('2026-01-01T00:15:00.000Z');
  });

  it('fires each occurrence once when two engines share the storage', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const runsBy: string[] = [];
    const storage = new MemoryStorage();
    const mk = (label: string) => defineTask({ name: 'shared', handler: () => void runsBy.push(label) });
    const e1 = engineOn(storage, clock, [mk('e1')]);
    const e2 = engineOn(storage, clock, [mk('e2')]);
    await e1.start();
    await e2.start();
    await e1.dispatch(mk('x'), null, { recurring: (s) => s.every(10).seconds(), taskKey: 'tick' });
    await e2.dispatch(mk('x'), null, { recurring: (s) => s.every(10).seconds(), taskKey: 'tick' });
    await advanceBy(clock, 100_000, 1000);
    expect(runsBy).toHaveLength(10);
  });

  it('rejects invalid schedules at dispatch and stores nothing', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const task = defineTask({ name: 'bad', handler: () => {} });
    const storage = new MemoryStorage();
    const engine = engineOn(storage, clock, [task]);
    await engine.start();
    await expect(engine.dispatch(task, null, { recurring: (s) => s.cron('61 * * * *') })).rejects.toThrow(InvalidScheduleError);
    await expect(engine.dispatch(task, null, { recurring: (s) => s.everyDay().atTime('25:00') })).rejects.toThrow(/25:00/);
    await expect(engine.dispatch(task, null, { recurring: (s) => s.everyDay().timeZone('Mars/Olympus') })).rejects.toThrow(/Mars\/Olympus/);
    await expect(engine.dispatch(task, null, { recurring: (s) => s.everyDay(), delay: 5 })).rejects.toThrow(/runDelayed/);
    expect((await storage.query({})).total).toBe(0);
  });

  it('runs an initial run now, then recurs', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:20:00Z'));
    const at: string[] = [];
    const task = defineTask({ name: 'init', handler: () => void at.push(iso(clock.now())) });
    const engine = engineOn(new MemoryStorage(), clock, [task]);
    await engine.start();
    await engine.dispatch(task, null, { recurring: (s) => s.runNow().then().everyHour() });
    await settle(20);
    await advanceBy(clock, 3_600_000, 60_000);
    expect(at[0]).toBe('2026-01-01T00:20:00.000Z');
    expect(at).toHaveLength(2);
  });

  it('runNow().then().every(5).seconds() does not run again right after the immediate run; ctx.occurrence.runCount is 1 on the first run', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T12:00:04.900Z'));
    const runs: { at: string; scheduledAt: string; runCount: number }[] = [];
    const task = defineTask({
      name: 'beat',
      handler: (_: null, ctx) => void runs.push({ at: iso(clock.now()), scheduledAt: iso(ctx.occurrence!.scheduledAt), runCount: ctx.occurrence!.runCount }),
    });
    const engine = engineOn(new MemoryStorage(), clock, [task]);
    await engine.start();
    const id = await engine.dispatch(task, null, { recurring: (s) => s.runNow().then().every(5).seconds(), taskKey: 'beat' });
    await settle(20);
    await advanceBy(clock, 10_100, 100);
    expect(runs).toEqual([
      { at: '2026-01-01T12:00:04.900Z', scheduledAt: '2026-01-01T12:00:04.900Z', runCount: 1 },
      { at: '2026-01-01T12:00:10.000Z', scheduledAt: '2026-01-01T12:00:10.000Z', runCount: 2 },
      { at: '2026-01-01T12:00:15.000Z', scheduledAt: '2026-01-01T12:00:15.000Z', runCount: 3 },
    ]);
    const history = await engine.getTaskHistory(id);
    expect(history.runs.map((r) => [r.status, r.at.toISOString()])).toEqual([
      ['completed', '2026-01-01T12:00:04.900Z'],
      ['completed', '2026-01-01T12:00:10.000Z'],
      ['completed', '2026-01-01T12:00:15.000Z'],
    ]);
    expect(nextOccurrences((s) => s.runNow().then().every(5).seconds(), { from: new Date('2026-01-01T12:00:04.900Z'), count: 3 }).map((d) => d.toISOString())).toEqual([
      '2026-01-01T12:00:04.900Z',
      '2026-01-01T12:00:10.000Z',
      '2026-01-01T12:00:15.000Z',
    ]);
  });
});
