import { describe, expect, it } from 'vitest';
import { MemoryStorage, systemClock, type NewTask, type TaskTransition } from '../../src/index.js';
import { WriteCoalescer } from '../../src/storage/write-coalescer.js';
import { deferred } from './helpers.js';

function task(id: string): NewTask {
  const now = Date.now();
  return {
    id, name: 't', payload: '{}', status: 'waiting', queue: 'default', taskKey: null, auditLevel: 'none', createdAt: now, updatedAt: now,
    scheduledAt: null, dueAt: now, attempts: 0, lastExecutionAt: null, executionTimeMs: null, error: null, leaseOwner: null,
    leaseExpiresAt: null, recoveryFailures: 0, recurring: null, recurringInfo: null, runCount: 0, maxRuns: null, runUntil: null, lastOutcome: null, traceContext: null,
  } as NewTask;
}

describe('WriteCoalescer lanes', () => {
  it('writes inserts while a batch of status changes is still in flight, and the reverse', async () => {
    const storage = new MemoryStorage();
    await storage.open();
    await storage.add([task('00000000-0000-7000-8000-000000000001')]);
    const slowTransition = deferred();
    const slowAdd = deferred();
    const calls: string[] = [];
    let holdTransition = true;
    let holdAdd = false;
    const realTransition = storage.transition.bind(storage);
    const realAdd = storage.add.bind(storage);
    storage.transition = async (changes: readonly TaskTransition[]) => {
      calls.push('transition');
      if (holdTransition) await slowTransition.promise;
      return realTransition(changes);
    };
    storage.add = async (tasks, options) => {
      calls.push('add');
      if (holdAdd) await slowAdd.promise;
      return realAdd(tasks, options);
    };
    const writer = new WriteCoalescer(storage, systemClock, { onError: () => undefined });

    const change = writer.transition({ id: '00000000-0000-7000-8000-000000000001', from: ['waiting'], to: 'cancelled', at: Date.now() });
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['transition']);
    // the insert does not wait for the status change in flight
    await writer.add([task('00000000-0000-7000-8000-000000000002')], false);
    expect(writer.idle).toBe(false);
    holdTransition = false;
    slowTransition.resolve();
    expect(await change).toBe(true);
    await writer.drain();
    expect(writer.idle).toBe(true);

    // nor a status change for an insert in flight
    holdAdd = true;
    const insert = writer.add([task('00000000-0000-7000-8000-000000000003')], false);
    await new Promise((r) => setImmediate(r));
    expect(await writer.transition({ id: '00000000-0000-7000-8000-000000000002', from: ['waiting'], to: 'cancelled', at: Date.now() })).toBe(true);
    let drained = false;
    const draining = writer.drain().then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(drained).toBe(false); // drain waits for both lanes
    slowAdd.resolve();
    await insert;
    await draining;
    expect((await storage.get('00000000-0000-7000-8000-000000000003'))?.status).toBe('waiting');
  });
});
