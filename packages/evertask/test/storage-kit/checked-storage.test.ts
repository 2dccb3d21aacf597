import { describe, expect, it } from 'vitest';
import {
  CheckedStorage,
  DEFAULT_TASK_PAGE,
  StorageChecks,
  checkedInstanceRegistry,
  checkedNotifications,
  checkedRateLimits,
  type UncheckedStorageRoles,
} from 'evertask/storage-kit';
import { makeStoredTask } from 'evertask/testing';
import type { NotificationChannel, RateLimitStore, StorageCapabilities } from 'evertask';

const T = Date.UTC(2026, 0, 1);

/** Roles that record each call they receive and answer with a marker. */
function recordingRoles(calls: string[]): UncheckedStorageRoles {
  const record =
    <R>(name: string, answer: R) =>
    async (...args: unknown[]): Promise<R> => {
      calls.push(`${name}(${args.length})`);
      return answer;
    };
  return {
    tasks: { add: record('add', undefined), update: record('update', true), replace: record('replace', true), remove: record('remove', true) },
    transitions: { transition: record('transition', [true]) },
    claims: { claimDue: record('claimDue', []), renewLeases: record('renewLeases', 1), nextDueAt: record('nextDueAt', T) },
    reads: {
      get: record('get', undefined),
      getByTaskKey: record('getByTaskKey', undefined),
      pending: record('pending', []),
      query: record('query', { items: [], total: 0 }),
      count: record('count', []),
    },
    history: {
      getStatusAudit: record('getStatusAudit', []),
      getRunAudit: record('getRunAudit', []),
      saveExecutionLogs: record('saveExecutionLogs', undefined),
      getExecutionLogs: record('getExecutionLogs', []),
    },
    statistics: { countExecutionLogs: record('countExecutionLogs', 0), taskTimeline: record('taskTimeline', []), taskGroups: record('taskGroups', []) },
    queueState: { setQueuePaused: record('setQueuePaused', true), pausedQueues: record('pausedQueues', []) },
    retention: { cleanup: record('cleanup', { tasks: 0, audits: 0, logs: 0 }) },
  };
}

class ProbeStorage extends CheckedStorage {
  readonly capabilities: StorageCapabilities;

  constructor(calls: string[], transactionalDispatch: boolean) {
    const lifecycle = {
      open: async () => void calls.push('open'),
      close: async () => void calls.push('close'),
    };
    super('ProbeStorage', recordingRoles(calls), lifecycle);
    this.capabilities = { persistent: true, multiProcess: true, transactionalDispatch };
  }
}

function probe(transactionalDispatch = false): { storage: ProbeStorage; calls: string[] } {
  const calls: string[] = [];
  return { storage: new ProbeStorage(calls, transactionalDispatch), calls };
}

describe('CheckedStorage', () => {
  it('hands valid calls to the roles and open/close to the life cycle', async () => {
    const { storage, calls } = probe();
    const task = makeStoredTask();
    await storage.open();
    await storage.add([task]);
    await storage.update(task.id, { attempts: 1 }, ['waiting']);
    await storage.get(task.id);
    await storage.query({}, { limit: 5 });
    await storage.claimDue({ owner: 'o', now: T, limit: 3, leaseMs: 1000 });
    await storage.getExecutionLogs(task.id, 0, 10, 'warning');
    await storage.close();
    expect(calls).toEqual(['open', 'add(2)', 'update(3)', 'get(1)', 'query(2)', 'claimDue(1)', 'getExecutionLogs(4)', 'close']);
  });

  it('refuses bad arguments before any role runs, naming the storage, operation and argument', async () => {
    const { storage, calls } = probe();
    await expect(storage.get('not-a-uuid')).rejects.toThrow(/^ProbeStorage\.get: id must be/);
    await expect(storage.add([{ ...makeStoredTask(), attempts: -1 }])).rejects.toThrow(/ProbeStorage\.add: tasks\[0\]\.attempts/);
    await expect(storage.claimDue({ owner: 'o', now: T, limit: -1, leaseMs: 1000 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(storage.query({ statuses: ['nope' as never] })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(storage.add([makeStoredTask()], null as never)).rejects.toThrow(/ProbeStorage\.add: options must be an object/);
    expect(calls).toEqual([]);
  });

  it('answers the trivial calls without a round trip', async () => {
    const { storage, calls } = probe();
    const id = makeStoredTask().id;
    expect(await storage.update(id, { attempts: 1 }, [])).toBe(false);
    expect(await storage.remove(id, [])).toBe(false);
    expect(await storage.transition([])).toEqual([]);
    expect(await storage.claimDue({ owner: 'o', now: T, limit: 0, leaseMs: 1000 })).toEqual([]);
    expect(await storage.claimDue({ owner: 'o', now: T, limit: 5, leaseMs: 1000, queues: [] })).toEqual([]);
    expect(await storage.claimDue({ owner: 'o', now: T, limit: 5, leaseMs: 1000, names: [] })).toEqual([]);
    expect(await storage.renewLeases('o', T, 1000, [])).toBe(0);
    expect(await storage.nextDueAt([])).toBeUndefined();
    expect(await storage.nextDueAt(undefined, [])).toBeUndefined();
    expect(await storage.pending(undefined, 0)).toEqual([]);
    await storage.saveExecutionLogs(id, []);
    expect(await storage.getExecutionLogs(id, 0, 0)).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('passes the resolved page to the reads', async () => {
    const calls: string[] = [];
    const roles = recordingRoles(calls);
    let seen: unknown;
    const storage = new (class extends CheckedStorage {
      readonly capabilities = { persistent: false, multiProcess: false, transactionalDispatch: false };
      constructor() {
        super('PageProbe', { ...roles, reads: { ...roles.reads, query: async (_filter, page) => ((seen = page), { items: [], total: 0 }) } }, {
          open: async () => undefined,
          close: async () => undefined,
        });
      }
    })();
    await storage.query({});
    expect(seen).toEqual(DEFAULT_TASK_PAGE);
  });

  it('refuses options.tx unless the storage declares transactional dispatch', async () => {
    const plain = probe(false);
    await expect(plain.storage.add([makeStoredTask()], { tx: {} })).rejects.toThrow(/ProbeStorage\.add: options\.tx is not supported/);
    await expect(plain.storage.replace(makeStoredTask().id, ['completed'], makeStoredTask(), { tx: {} })).rejects.toThrow(/ProbeStorage\.replace/);
    expect(plain.calls).toEqual([]);
    const transactional = probe(true);
    await transactional.storage.add([makeStoredTask()], { tx: {} });
    expect(transactional.calls).toEqual(['add(2)']);
  });
});

describe('checked optional roles', () => {
  it('checks instance records and ids before the statements run', async () => {
    const calls: string[] = [];
    const registry = checkedInstanceRegistry('ProbeStorage', {
      heartbeatInstance: async () => void calls.push('heartbeat'),
      removeInstance: async () => void calls.push('remove'),
      listInstances: async () => [],
    });
    await expect(registry.heartbeat({ id: '' } as never)).rejects.toThrow(/ProbeStorage\.instances\.heartbeat/);
    await expect(registry.remove(42 as never)).rejects.toThrow(/ProbeStorage\.instances\.remove/);
    expect(calls).toEqual([]);
    await registry.remove('instance-1');
    expect(calls).toEqual(['remove']);
  });

  it('checks rate-limit requests and reservation ids before the statements run', async () => {
    const calls: string[] = [];
    const statements: RateLimitStore = {
      acquire: async () => (calls.push('acquire'), []),
      release: async () => void calls.push('release'),
      introspect: async () => ({ trackedKeys: 0, parked: 0, keys: [] }) as never,
    };
    const limits = checkedRateLimits('ProbeStorage', statements);
    await expect(limits.acquire([{ policyKey: 'p' } as never])).rejects.toThrow(/ProbeStorage\.rateLimits\.acquire/);
    await expect(limits.release('')).rejects.toThrow(/ProbeStorage\.rateLimits\.release/);
    await expect(limits.introspect(-1)).rejects.toThrow(/ProbeStorage\.rateLimits\.introspect/);
    expect(await limits.acquire([])).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('checks listeners and notifications before the channel sees them', async () => {
    const calls: string[] = [];
    const channel: NotificationChannel = {
      subscribe: async () => (calls.push('subscribe'), async () => undefined),
      notify: async () => void calls.push('notify'),
    };
    const checked = checkedNotifications(new StorageChecks('ProbeStorage'), channel);
    await expect(checked.subscribe('not a function' as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(checked.notify({ kind: 'nope' } as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(calls).toEqual([]);
  });
});
