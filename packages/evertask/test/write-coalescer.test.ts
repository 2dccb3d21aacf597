import { describe, expect, it } from 'vitest';
import { WriteCoalescer } from '../src/storage/write-coalescer.js';
import { StorageError } from '../src/errors.js';
import { MemoryStorage } from '../src/index.js';
import { systemClock } from '../src/clock.js';
import type { TaskStorage, TaskTransition } from '../src/ports/task-storage.js';
import type { TaskStatus } from '../src/ports/task-record.js';

/** A storage whose `transition` records each batch (and answers `applied` for every change). */
function recordingStorage(fail?: (batch: readonly TaskTransition[]) => Error | undefined) {
  const batches: TaskTransition[][] = [];
  const storage = {
    async transition(changes: readonly TaskTransition[]) {
      const error = fail?.(changes);
      if (error) throw error;
      batches.push([...changes]);
      return changes.map(() => true);
    },
  } as unknown as TaskStorage;
  return { storage, batches };
}

/** A change whose guard never accepts another change's outcome, so two of one task are never merged. */
const change = (id: string, to: TaskStatus): TaskTransition => ({ id, from: ['waiting'], to, at: 1 });
const noHooks = { onError: () => {} };

describe('WriteCoalescer', () => {
  it('never puts two changes of one task in a batch, without holding up the other tasks, and keeps each task in order', async () => {
    const { storage, batches } = recordingStorage();
    const writer = new WriteCoalescer(storage, systemClock, noHooks);
    const settled: string[] = [];
    // a task that starts and finishes within one tick queues its two changes back to back
    for (const id of ['a', 'b', 'c']) {
      writer.transitionThen(change(id, 'in-progress'), (applied) => settled.push(`${id}:in-progress:${applied}`));
      writer.transitionThen(change(id, 'completed'), (applied) => settled.push(`${id}:completed:${applied}`));
    }
    await writer.drain();
    expect(batches.map((b) => b.map((c) => `${c.id}:${c.to}`))).toEqual([
      ['a:in-progress', 'b:in-progress', 'c:in-progress'],
      ['a:completed', 'b:completed', 'c:completed'],
    ]);
    expect(settled).toEqual([
      'a:in-progress:true', 'b:in-progress:true', 'c:in-progress:true',
      'a:completed:true', 'b:completed:true', 'c:completed:true',
    ]);
  });

  it('keeps every change of a long mixed queue, in order per task, one change per task per batch', async () => {
    const { storage, batches } = recordingStorage();
    const writer = new WriteCoalescer(storage, systemClock, noHooks);
    const expected = new Map<string, string[]>();
    const statuses: TaskStatus[] = ['queued', 'in-progress', 'completed'];
    for (let i = 0; i < 5000; i++) {
      const id = `t${(i * 7919) % 1700}`;
      const to = statuses[i % 3] as TaskStatus;
      (expected.get(id) ?? expected.set(id, []).get(id))?.push(to);
      writer.transitionThen(change(id, to), () => {});
    }
    await writer.drain();
    const seen = new Map<string, string[]>();
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(1000);
      expect(new Set(batch.map((c) => c.id)).size).toBe(batch.length);
      for (const c of batch) (seen.get(c.id) ?? seen.set(c.id, []).get(c.id))?.push(c.to);
    }
    expect(seen).toEqual(expected);
  });

  it('reports a failed write to every waiting change, promise or callback, and a throwing callback does not stop its batch', async () => {
    const failure = new StorageError('disk on fire');
    const { storage } = recordingStorage(() => failure);
    const errors: string[] = [];
    const writer = new WriteCoalescer(storage, systemClock, { onError: (operation) => errors.push(operation) });
    const outcomes: unknown[] = [];
    writer.transitionThen(change('a', 'completed'), () => {
      throw new Error('listener bug');
    });
    writer.transitionThen(change('b', 'completed'), (applied, error) => outcomes.push([applied, error]));
    const promised = writer.transition(change('c', 'completed'));
    await expect(promised).rejects.toBe(failure);
    await writer.drain();
    expect(outcomes).toEqual([[false, failure]]);
    expect(errors).toEqual(['transition', 'transition callback']);
  });

  it('merges a change into an unsent earlier one of its task when its guard accepts that outcome; both callers learn the result', async () => {
    const { storage, batches } = recordingStorage();
    const writer = new WriteCoalescer(storage, systemClock, noHooks);
    const settled: string[] = [];
    writer.transitionThen({ id: 'a', from: ['queued'], owner: 'me', to: 'in-progress', at: 1, patch: { attempts: 1 }, audit: { error: null } }, (ok) => settled.push(`start:${ok}`));
    const completed = writer.transition({ id: 'a', from: ['in-progress'], owner: 'me', to: 'completed', at: 2, patch: { error: null }, audit: { error: null } });
    expect(await completed).toBe(true);
    expect(settled).toEqual(['start:true']);
    expect(batches).toEqual([
      [{ id: 'a', from: ['queued'], owner: 'me', to: 'completed', at: 2, patch: { attempts: 1, error: null }, audit: { error: null }, priorAudits: [{ status: 'in-progress', at: 1, error: null }] }],
    ]);
  });

  it('withdraws an unsent change (never written, never settled), but not one already sent or merged', async () => {
    const { storage, batches } = recordingStorage();
    const writer = new WriteCoalescer(storage, systemClock, noHooks);
    const settled: string[] = [];
    const start = change('a', 'in-progress');
    writer.transitionThen(start, () => settled.push('a'));
    writer.transitionThen(change('b', 'in-progress'), () => settled.push('b'));
    expect(writer.withdraw(start)).toBe(true);
    expect(writer.withdraw(start)).toBe(false);
    await writer.drain();
    expect(batches.map((b) => b.map((c) => c.id))).toEqual([['b']]);
    expect(settled).toEqual(['b']);

    // sent already: too late
    const sent = change('c', 'in-progress');
    writer.transitionThen(sent, () => settled.push('c'));
    await writer.drain();
    expect(writer.withdraw(sent)).toBe(false);

    // merged with a later change of its task: the merged change stays
    const first: TaskTransition = { id: 'd', from: ['queued'], owner: 'me', to: 'in-progress', at: 1 };
    writer.transitionThen(first, () => settled.push('d:start'));
    writer.transitionThen({ id: 'd', from: ['in-progress'], owner: 'me', to: 'completed', at: 2 }, () => settled.push('d:done'));
    expect(writer.withdraw(first)).toBe(false);
    await writer.drain();
    expect(batches.map((b) => b.map((c) => `${c.id}:${c.to}`))).toEqual([['b:in-progress'], ['c:in-progress'], ['d:completed']]);
    expect(settled).toEqual(['b', 'c', 'd:start', 'd:done']);
  });

  it('writes nothing for a batch whose every change was withdrawn, and reports idle', async () => {
    const { storage, batches } = recordingStorage();
    const writer = new WriteCoalescer(storage, systemClock, noHooks);
    const only = change('a', 'in-progress');
    writer.transitionThen(only, () => {});
    writer.withdraw(only);
    await writer.drain();
    expect(batches).toEqual([]);
    expect(writer.idle).toBe(true);
  });

  it('applies start and completion of the same task written in one tick against a real storage', async () => {
    const x = '00000000-0000-7000-8000-00000000000a';
    const storage = new MemoryStorage();
    await storage.open();
    await storage.add([
      {
        id: x, name: 'n', payload: '{}', status: 'queued', queue: 'default', taskKey: null, auditLevel: 'full', createdAt: 0, updatedAt: 0,
        scheduledAt: null, dueAt: null, attempts: 0, lastExecutionAt: null, executionTimeMs: null, error: null, leaseOwner: 'me', leaseExpiresAt: 10,
        recoveryFailures: 0, recurring: null, recurringInfo: null, runCount: 0, maxRuns: null, runUntil: null, lastOutcome: null, traceContext: null,
      },
    ]);
    const writer = new WriteCoalescer(storage, systemClock, noHooks);
    const started = writer.transition({ id: x, from: ['queued'], owner: 'me', to: 'in-progress', at: 1, patch: { attempts: 1 }, audit: { error: null } });
    const completed = writer.transition({ id: x, from: ['in-progress'], owner: 'me', to: 'completed', at: 2, audit: { error: null } });
    expect(await Promise.all([started, completed])).toEqual([true, true]);
    expect((await storage.getStatusAudit(x)).map((r) => r.status)).toEqual(['in-progress', 'completed']);
    expect((await storage.get(x))?.attempts).toBe(1);
  });
});
