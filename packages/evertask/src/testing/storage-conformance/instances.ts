import { expect } from 'vitest';
import type { TestContext } from 'vitest';
import type { InstanceRecord, TaskStorage } from '../../ports/task-storage.js';
import { T, LEASE, rejectsWithCode } from './fixtures.js';
import type { Register } from './fixtures.js';

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

export function registerInstanceTests(test: Register): void {
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
