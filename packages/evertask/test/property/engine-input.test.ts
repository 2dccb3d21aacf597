import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineTask, EverTask, MemoryStorage, silentLogger } from '../../src/index.js';
import { arbitraryFilter, arbitraryPage, wellTypedFilter } from '../support/storage-port-properties.js';
import { anything, cronText, durationText, ourErrorOrSuccess, ourErrorOrSuccessSync, RUNS, zoneText } from './arbitraries.js';

const noop = defineTask({ name: 'noop', handler: () => {} });
const storage = new MemoryStorage();
const engine = new EverTask({ storage, tasks: [noop], queues: { mail: { concurrency: 1 } }, logger: silentLogger });

beforeAll(() => engine.start());
afterAll(() => engine.stop({ timeout: 100 }));

async function allTasks(): Promise<unknown> {
  const { items, total } = await storage.query({}, { limit: 1000 });
  return { total, ids: items.map((t) => t.id).sort() };
}

const dispatchOptions = fc.record(
  {
    delay: fc.oneof(durationText, anything),
    runAt: fc.oneof(fc.date({ noInvalidDate: false }), anything),
    taskKey: fc.oneof(fc.string({ maxLength: 300 }), anything),
    queue: fc.oneof(fc.constantFrom('default', 'mail', 'nope', ''), anything),
    auditLevel: fc.oneof(fc.constantFrom('full', 'minimal', 'errorsOnly', 'none', 'loud'), anything),
    recurring: fc.oneof(
      cronText.map((c) => (s: { cron: (c: string) => unknown }) => s.cron(c)),
      zoneText.map((z) => (s: { everyHour: () => { timeZone: (z: string) => unknown } }) => s.everyHour().timeZone(z)),
      anything,
    ),
    tx: anything,
    unknownOption: anything,
  },
  { requiredKeys: [] },
);

describe('EverTask methods, any input', () => {
  /** Runs a dispatch: on success the storage holds `added` more tasks, on refusal exactly what it held. */
  async function storesAllOrNone(call: () => Promise<unknown>, added: number): Promise<void> {
    const before = (await allTasks()) as { total: number };
    const outcome = await ourErrorOrSuccess(call);
    const after = (await allTasks()) as { total: number };
    if (outcome.ok) expect(after.total).toBe(before.total + added);
    else expect(after).toEqual(before);
  }

  it('dispatch stores exactly one task or throws an EverTaskError and stores nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anything, fc.jsonValue()), dispatchOptions, (payload, options) =>
        storesAllOrNone(() => engine.dispatch(noop, payload as never, options as never), 1),
      ),
      RUNS,
    );
  });

  it('dispatchMany stores all the payloads or none', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.jsonValue(), anything), { maxLength: 5 }), fc.oneof(anything, dispatchOptions), (payloads, options) =>
        storesAllOrNone(() => engine.dispatchMany(noop, payloads as never, options as never), payloads.length),
      ),
      RUNS,
    );
  });

  it('queryTasks takes any filter and page: a page of tasks or an EverTaskError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(wellTypedFilter, arbitraryFilter), arbitraryPage, async (filter, page) => {
        const outcome = await ourErrorOrSuccess(() => engine.queryTasks(filter as never, page as never));
        if (outcome.ok) {
          const { items, total } = await engine.queryTasks(filter as never, page as never);
          expect(Number.isInteger(total) && total >= items.length).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('reads and actions by id or queue name take any argument; a refused action changes nothing', async () => {
    const id = await engine.dispatch(noop, null, { delay: '1h' });
    await fc.assert(
      fc.asyncProperty(anything, anything, async (value, options) => {
        const before = await allTasks();
        for (const call of [
          () => engine.getTask(value as never),
          () => engine.getTaskHistory(value as never),
          () => engine.getTaskLogs(value as never, options as never),
          () => engine.getTaskLogs(id, options as never),
          () => engine.cancel(value as never, options as never),
          () => engine.runNow(value as never, options as never),
          () => engine.retry(value as never, options as never),
          () => engine.deleteTask(value as never, options as never),
          () => engine.pauseQueue(value as never, options as never),
          () => engine.resumeQueue(value as never, options as never),
          () => engine.cancel(id, options as never),
        ]) {
          const outcome = await ourErrorOrSuccess(call);
          if (!outcome.ok) expect(await allTasks()).toEqual(before);
        }
      }),
      { numRuns: 100 },
    );
    // the engine still serves: a fresh task completes
    const done = await engine.dispatch(noop, null, { queue: 'default' });
    await engine.resumeQueue('default');
    for (let i = 0; i < 500 && (await engine.getTask(done))?.status !== 'completed'; i++) await new Promise((r) => setTimeout(r, 5));
    expect((await engine.getTask(done))?.status).toBe('completed');
  });

  it('the constructor takes any options: an engine or an EverTaskError', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            tasks: fc.oneof(fc.constant([noop]), anything),
            queues: fc.oneof(fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(anything, fc.record({ concurrency: anything, capacity: anything, whenFull: anything }))), anything),
            defaults: anything,
            instanceId: anything,
            leaseDuration: fc.oneof(durationText, anything),
            retention: anything,
            eventFeed: anything,
          },
          { requiredKeys: [] },
        ),
        (options) => {
          ourErrorOrSuccessSync(() => new EverTask({ logger: silentLogger, ...options } as never));
        },
      ),
      RUNS,
    );
  });
});
