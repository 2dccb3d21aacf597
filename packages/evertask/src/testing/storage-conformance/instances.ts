import { expect } from 'vitest';
import type { TestContext } from 'vitest';
import type { InstanceRecord, InstanceRegistry, TaskStorage } from '../../ports/task-storage.js';
import { T, LEASE, rejectsWithCode } from './fixtures.js';
import type { Register } from './fixtures.js';

// ---- instance registry -------------------------------------------------------------------------

function registry(s: TaskStorage, context: TestContext): InstanceRegistry {
  if (s.instances === undefined) context.skip('the storage has no instance registry');
  return s.instances;
}

function instance(overrides: Partial<InstanceRecord> = {}): InstanceRecord {
  return { id: 'host-a:101:abc', hostname: 'host-a', pid: 101, startedAt: T, heartbeatAt: T, expiresAt: T + LEASE, queues: ['default'], taskNames: ['send-mail'], ...overrides };
}

export function registerInstanceTests(test: Register): void {
  test('registers instances, refreshes them by id and lists them by start time', async (s, context) => {
    const r = registry(s, context);
    expect(await r.list()).toEqual([]);
    const b = instance({ id: 'host-b:7:x', hostname: 'host-b', pid: 7, startedAt: T + 5, heartbeatAt: T + 5, expiresAt: T + 5 + LEASE, queues: ['mail', 'default'], taskNames: [] });
    const a = instance();
    await r.heartbeat(b);
    await r.heartbeat(a);
    expect(await r.list()).toEqual([a, b]);
    const refreshed = { ...a, heartbeatAt: T + 10_000, expiresAt: T + 10_000 + LEASE };
    await r.heartbeat(refreshed);
    expect(await r.list()).toEqual([refreshed, b]);
  });

  test('removes an instance; removing an unknown one is not an error', async (s, context) => {
    const r = registry(s, context);
    const a = instance();
    const b = instance({ id: 'other', startedAt: T + 1 });
    await r.heartbeat(a);
    await r.heartbeat(b);
    await r.remove(a.id);
    await r.remove('never-registered');
    expect(await r.list()).toEqual([b]);
  });

  test('lists an expired instance, then forgets it an hour after its expiry', async (s, context) => {
    const r = registry(s, context);
    const dead = instance({ id: 'dead' });
    await r.heartbeat(dead);
    const live = instance({ id: 'live', startedAt: T + 1, heartbeatAt: T + 60_000, expiresAt: T + 60_000 + LEASE });
    await r.heartbeat(live);
    expect((await r.list()).map((i) => i.id)).toEqual(['dead', 'live']);
    const later = dead.expiresAt + 3_600_000 + 1;
    await r.heartbeat({ ...live, heartbeatAt: later, expiresAt: later + LEASE });
    expect((await r.list()).map((i) => i.id)).toEqual(['live']);
  });

  test('rejects a malformed instance record naming the field, and stores nothing', async (s, context) => {
    const r = registry(s, context);
    const bad: [string, unknown][] = [
      ['id', instance({ id: '' })],
      ['pid', instance({ pid: -1 })],
      ['heartbeatAt', instance({ heartbeatAt: Number.NaN })],
      ['queues', instance({ queues: [''] })],
      ['taskNames', instance({ taskNames: [''] })],
      ['instance', null],
    ];
    for (const [field, value] of bad) {
      let caught: unknown;
      try {
        await r.heartbeat(value as InstanceRecord);
      } catch (error) {
        caught = error;
      }
      expect(caught, field).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
      expect((caught as Error).message, field).toContain(field);
    }
    await rejectsWithCode(r.remove('' as string), 'ERR_INVALID_ARGUMENT');
    expect(await r.list()).toEqual([]);
  });
}
