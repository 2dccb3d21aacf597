/**
 * Status history under clock skew (found by the chaos suite): the history reads in time order, so
 * an engine whose clock is behind another process's must not stamp its changes of a task before
 * what that process wrote — the task's creation, its previous attempt's end, or the end of the
 * finished keyed task it replaces.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStorage, defineTask, silentLogger, systemClock, type Clock, type StatusAuditEntry, EverTask } from '../../src/index.js';
import { makeStoredTask } from '../../src/testing/index.js';
import { waitFor } from '../support/wait-for.js';
import { stopEnginesAfterEach, waitForStatus } from './helpers.js';

const BEHIND_MS = 3000;
const behind: Clock = { now: () => Date.now() - BEHIND_MS, setTimer: systemClock.setTimer, clearTimer: systemClock.clearTimer };

const track = stopEnginesAfterEach();
const work = defineTask({ name: 'work', handler: async () => undefined });
const failOnce = defineTask({ name: 'fail-once', handler: async (_p: null, ctx) => { if (ctx.attempt === 1) throw new Error('first'); } });

function engineBehind(storage: MemoryStorage): EverTask {
  return track(new EverTask({ storage, tasks: [work, failOnce], logger: silentLogger, clock: behind, sweepInterval: '50ms' }));
}

function expectOrdered(history: StatusAuditEntry[], statuses: string[]): void {
  expect(history.map((row) => row.status)).toEqual(statuses);
  for (let i = 1; i < history.length; i++) expect(history[i]!.at).toBeGreaterThanOrEqual(history[i - 1]!.at);
}

describe('status history when another process clock is ahead', () => {
  // a task another process wrote at `writtenAt` (its clock), due long ago on this engine's clock
  it.each([
    { what: 'the task creation', fields: (writtenAt: number) => ({ createdAt: writtenAt }) },
    { what: 'the previous attempt end', fields: (writtenAt: number) => ({ createdAt: writtenAt - 10 * BEHIND_MS, attempts: 1, lastExecutionAt: writtenAt }) },
  ])('a run is stamped no earlier than $what written by that process', async ({ fields }) => {
    const storage = new MemoryStorage();
    const writtenAt = Date.now();
    const task = makeStoredTask({ name: 'work', payload: 'null', dueAt: writtenAt - 2 * BEHIND_MS, ...fields(writtenAt) });
    await storage.add([task], { audit: true });
    const engine = engineBehind(storage);
    await engine.start();
    await waitForStatus(engine, task.id, 'completed');
    const history = await storage.getStatusAudit(task.id);
    expectOrdered(history, ['waiting', 'in-progress', 'completed']);
    expect(history[1]!.at).toBeGreaterThanOrEqual(writtenAt);
  });

  it('the task replacing a finished keyed task is created after that task ended, so the moved rows read first', async () => {
    const storage = new MemoryStorage();
    const endedAt = Date.now();
    const finished = makeStoredTask({ name: 'work', payload: 'null', status: 'completed', taskKey: 'k', createdAt: endedAt, updatedAt: endedAt, dueAt: null });
    await storage.add([finished], { audit: true });
    const engine = engineBehind(storage);
    await engine.start();
    const id = await engine.dispatch(work, null, { taskKey: 'k' });
    expect(id).not.toBe(finished.id);
    await waitForStatus(engine, id, 'completed');
    const history = await storage.getStatusAudit(id);
    expect(history[0]?.status).toBe('completed');
    expect(history[1]?.status === 'queued' || history[1]?.status === 'waiting').toBe(true);
    expect(history.at(-1)?.status).toBe('completed');
    for (let i = 1; i < history.length; i++) expect(history[i]!.at).toBeGreaterThanOrEqual(history[i - 1]!.at);
    expect((await storage.get(id))?.createdAt).toBeGreaterThanOrEqual(endedAt);
  });

  it('an engine clock far behind moves its stamps by at most the lease', async () => {
    const storage = new MemoryStorage();
    const createdAt = Date.now() + 60 * 60_000; // a stored time an hour ahead (a corrupt or far-off clock)
    const task = makeStoredTask({ name: 'fail-once', payload: 'null', createdAt, dueAt: Date.now() - 2 * BEHIND_MS });
    await storage.add([task], { audit: true });
    const engine = track(new EverTask({ storage, tasks: [work, failOnce], logger: silentLogger, lease: '2s', sweepInterval: '50ms' }));
    const before = Date.now();
    await engine.start();
    // the first attempt failed: waiting for its retry
    await waitFor(async () => {
      const stored = await storage.get(task.id);
      return stored?.status === 'waiting' && stored.attempts === 1;
    }, 5000, 'the first attempt to fail');
    const history = await storage.getStatusAudit(task.id);
    const inProgress = history.find((row) => row.status === 'in-progress');
    expect(inProgress?.at).toBeGreaterThanOrEqual(before);
    // moved up by the lease (2 s) at most, not to the stored creation an hour ahead
    expect(inProgress?.at).toBeLessThanOrEqual(Date.now() + 2000);
    // the retry is due within a second of the failure, not an hour later
    expect((await storage.get(task.id))?.dueAt).toBeLessThanOrEqual(Date.now() + 2000 + 1000);
  });
});
