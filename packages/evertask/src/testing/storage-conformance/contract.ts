import { expect } from 'vitest';
import { uuidv7 } from '../../ids.js';
import type { StoredTask, TaskPatch } from '../../ports/task-record.js';
import type { TaskStorage, TaskTransition } from '../../ports/task-storage.js';
import { T, LEASE, task, log, claim } from './fixtures.js';
import { countExecutionLogs, scheduledTasks } from '../../storage/derived-reads.js';
import type { Register } from './fixtures.js';

const MAX_INTEGER = 2_147_483_647;
const MAX_TIME = 8_640_000_000_000_000;

/** The code of the error `call` rejects with, or `'resolved'`. */
async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'resolved';
  } catch (error) {
    return String((error as { code?: unknown }).code);
  }
}

/** Expects every call to reject with `ERR_INVALID_ARGUMENT`, naming the label of any that does not. */
async function allInvalid(calls: readonly (readonly [string, () => Promise<unknown>])[]): Promise<void> {
  const outcomes = await Promise.all(calls.map(async ([label, call]) => [label, await outcome(call)] as const));
  expect(outcomes.filter(([, code]) => code !== 'ERR_INVALID_ARGUMENT')).toEqual([]);
}

function change(t: StoredTask, extra: Partial<TaskTransition> = {}): TaskTransition {
  return { id: t.id, from: ['waiting'], to: 'queued', at: T + 1, ...extra };
}

/** The values of the storage contract (docs/custom-storage.md, "The values a storage accepts"). */
export function registerContractTests(test: Register): void {
  test('rejects patch keys outside TaskPatch, in update and in transition, and changes nothing', async (s) => {
    const t = task({ name: 'original', taskKey: 'kept' });
    await s.add([t]);
    const rogues: Record<string, unknown>[] = [{ name: 'evil' }, { taskKey: 'stolen' }, { id: uuidv7() }, { status: 'failed' }, { createdAt: 1 }, { "x'); --": 1 }];
    await allInvalid(
      rogues.flatMap((rogue) => [
        [`update ${Object.keys(rogue)[0]}`, () => s.update(t.id, { attempts: 1, ...rogue } as TaskPatch)],
        [`transition ${Object.keys(rogue)[0]}`, () => s.transition([change(t, { patch: { attempts: 1, ...rogue } as TaskPatch })])],
      ] as const),
    );
    expect(await s.get(t.id)).toEqual(t);
    expect(await s.getByTaskKey('stolen')).toBeUndefined();
  });

  test('a patch key whose value is undefined keeps the field', async (s) => {
    const t = task({ error: 'kept' });
    await s.add([t]);
    expect(await s.update(t.id, { error: undefined, attempts: 2 })).toBe(true);
    expect(await s.get(t.id)).toMatchObject({ error: 'kept', attempts: 2 });
  });

  test('counts are integers from 0 to 2,147,483,647', async (s) => {
    const t = task({ attempts: MAX_INTEGER, recoveryFailures: MAX_INTEGER, runCount: MAX_INTEGER, maxRuns: MAX_INTEGER });
    await s.add([t]);
    expect(await s.get(t.id)).toEqual(t);
    const other = task();
    await allInvalid([
      ['add attempts -1', () => s.add([{ ...other, attempts: -1 }])],
      ['add attempts 2^31', () => s.add([{ ...other, attempts: MAX_INTEGER + 1 }])],
      ['add runCount 1.5', () => s.add([{ ...other, runCount: 1.5 }])],
      ['add maxRuns -1', () => s.add([{ ...other, maxRuns: -1 }])],
      ['update attempts -1', () => s.update(t.id, { attempts: -1 })],
      ['transition recoveryFailures -1', () => s.transition([change(t, { patch: { recoveryFailures: -1 } })])],
      ['log sequence -1', () => s.saveExecutionLogs(t.id, [log(t.id, T, -1)])],
      ['claim limit 2^31', () => claim(s, T, { limit: MAX_INTEGER + 1 })],
      ['pending limit 1.5', () => s.pending(undefined, 1.5)],
      ['query offset 2^31', () => s.query({}, { offset: MAX_INTEGER + 1 })],
    ]);
    expect(await s.get(other.id)).toBeUndefined();
    expect(await s.get(t.id)).toEqual(t);
  });

  test('times are integer epoch milliseconds within the range of a Date', async (s) => {
    const t = task({ dueAt: MAX_TIME, runUntil: -MAX_TIME, scheduledAt: 0 });
    await s.add([t]);
    expect(await s.get(t.id)).toEqual(t);
    const other = task();
    await allInvalid([
      ['add createdAt 1.5', () => s.add([{ ...other, createdAt: T + 0.5 }])],
      ['add dueAt beyond a Date', () => s.add([{ ...other, dueAt: MAX_TIME + 1 }])],
      ['add dueAt Infinity', () => s.add([{ ...other, dueAt: Number.POSITIVE_INFINITY }])],
      ['add updatedAt as text', () => s.add([{ ...other, updatedAt: String(T) as unknown as number }])],
      ['transition at 1.5', () => s.transition([change(t, { at: T + 0.5 })])],
      ['update dueAt NaN', () => s.update(t.id, { dueAt: Number.NaN })],
      ['claim now 1.5', () => claim(s, T + 0.5)],
      ['claim leaseMs 1.5', () => claim(s, T, { leaseMs: 1.5 })],
      ['scheduled until 1.5', () => scheduledTasks(s, T + 0.5, 10)],
      ['cleanup cutoff 1.5', () => s.cleanup({ completedBefore: T + 0.5 })],
    ]);
    expect(await s.get(other.id)).toBeUndefined();
  });

  test('durations may be fractional', async (s) => {
    const t = task({ executionTimeMs: 12.25 });
    await s.add([t]);
    expect(await s.get(t.id)).toEqual(t);
    expect(await s.transition([change(t, { patch: { executionTimeMs: 0.5 }, runAudit: { at: T + 1, status: 'completed', executionTimeMs: 1.75, error: null } })])).toEqual([true]);
    expect((await s.get(t.id))?.executionTimeMs).toBe(0.5);
    expect((await s.getRunAudit(t.id))[0]?.executionTimeMs).toBe(1.75);
  });

  test('names and queues are non-empty strings', async (s) => {
    const t = task();
    await s.add([t]);
    const other = task();
    await allInvalid([
      ['add empty queue', () => s.add([{ ...other, queue: '' }])],
      ['add empty name', () => s.add([{ ...other, name: '' }])],
      ['update empty queue', () => s.update(t.id, { queue: '' })],
      ['transition empty queue', () => s.transition([change(t, { patch: { queue: '' } })])],
      ['claim from an empty queue name', () => claim(s, T, { queues: [''] })],
      ['claim by an empty owner', () => claim(s, T, { owner: '' })],
      ['claim an empty task name', () => claim(s, T, { names: [''] })],
      ['claim names that are not a list', () => claim(s, T, { names: 'send-mail' as unknown as string[] })],
      ['nextDueAt of an empty task name', () => s.nextDueAt(undefined, [''])],
    ]);
    expect(await s.get(other.id)).toBeUndefined();
    expect(await s.get(t.id)).toEqual(t);
  });

  test('an empty queues list selects no queue', async (s) => {
    await s.add([task()]);
    expect(await claim(s, T, { queues: [] })).toEqual([]);
    expect(await s.nextDueAt([])).toBeUndefined();
    expect(await claim(s, T)).toHaveLength(1);
  });

  test('ids are lowercase UUIDs: any other id is rejected, not answered "not found"', async (s) => {
    const t = task();
    await s.add([t]);
    const upper = t.id.toUpperCase();
    const calls: [string, (storage: TaskStorage) => Promise<unknown>][] = [
      ['add', (storage) => storage.add([{ ...task(), id: 'task-1' }])],
      ['add uppercase', (storage) => storage.add([{ ...task(), id: uuidv7().toUpperCase() }])],
      ['get', (storage) => storage.get('task-1')],
      ['get uppercase', (storage) => storage.get(upper)],
      ['update', (storage) => storage.update('task-1', { attempts: 1 })],
      ['remove', (storage) => storage.remove('')],
      ['transition', (storage) => storage.transition([{ ...change(t), id: 'x' }])],
      ['renewLeases', (storage) => storage.renewLeases('owner-a', T, LEASE, ['x'])],
      ['pending cursor', (storage) => storage.pending({ createdAt: T, id: 'x' }, 10)],
      ['query ids', (storage) => storage.query({ ids: ['x'] })],
      ['getStatusAudit', (storage) => storage.getStatusAudit('x')],
      ['getRunAudit', (storage) => storage.getRunAudit('x')],
      ['getExecutionLogs', (storage) => storage.getExecutionLogs('x')],
      ['countExecutionLogs', (storage) => countExecutionLogs(storage, 'x')],
      ['saveExecutionLogs task', (storage) => storage.saveExecutionLogs('x', [log(t.id, T, 0)])],
      ['saveExecutionLogs log id', (storage) => storage.saveExecutionLogs(t.id, [log(t.id, T, 0, { id: 'log-1' })])],
    ];
    await allInvalid(calls.map(([label, call]) => [label, () => call(s)] as const));
    expect(await s.get(t.id)).toEqual(t);
    expect(await countExecutionLogs(s, t.id)).toBe(0);
  });

  test('a batch with one invalid change writes none of it', async (s) => {
    const a = task();
    const b = task();
    await s.add([a, b]);
    const batch = [change(a, { audit: { error: null } }), change(b, { patch: { attempts: -1 } })];
    expect(await outcome(() => s.transition(batch))).toBe('ERR_INVALID_ARGUMENT');
    expect(await s.get(a.id)).toEqual(a);
    expect(await s.getStatusAudit(a.id)).toEqual([]);
  });

  test('storage failures that are not bad arguments are ERR_STORAGE', async (s) => {
    const t = task();
    await s.add([t]);
    expect(await outcome(() => s.add([{ ...task(), id: t.id }]))).toBe('ERR_STORAGE');
    expect(await outcome(() => s.saveExecutionLogs(uuidv7(), [log(t.id, T, 0)]))).toBe('ERR_STORAGE');
    expect(await outcome(() => s.add([task({ taskKey: 'k' }), task({ taskKey: 'k' })]))).toBe('ERR_TASK_KEY_CONFLICT');
  });
}
