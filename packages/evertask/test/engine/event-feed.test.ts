import { describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError, MemoryStorage, defineTask, type EverTaskEvents, type StorageNotification } from '../../src/index.js';
import { createEngine, stopEnginesAfterEach, until, waitForStatus } from './helpers.js';

const work = defineTask({ name: 'work', handler: async () => undefined });

describe('the task event feed on a storage shared by one process (MemoryStorage)', () => {
  const track = stopEnginesAfterEach();

  it("publishes nothing even with eventFeed 'always': the storage is not shared between processes", async () => {
    const storage = new MemoryStorage();
    const notify = vi.spyOn(storage.notifications, 'notify');
    const a = track(createEngine({ storage, tasks: [work], eventFeed: 'always' }));
    const b = track(createEngine({ storage, tasks: [work], eventFeed: 'always' }));
    const remote: EverTaskEvents['remote:task'][] = [];
    a.on('remote:task', (e) => remote.push(e));
    b.on('remote:task', (e) => remote.push(e));
    await a.start();
    await b.start();
    const id = await b.dispatch(work, null);
    await waitForStatus(b, id, 'completed');
    await b.stop();
    const kinds = notify.mock.calls.map(([n]) => n.kind);
    expect(kinds.filter((kind) => kind.startsWith('task-events'))).toEqual([]);
    expect(remote).toEqual([]);
  });

  it('re-emits entries that arrive on the channel as remote:task, ignores its own, and never runs hooks for them', async () => {
    const storage = new MemoryStorage();
    const onCompleted = vi.fn();
    const hooked = defineTask({ name: 'hooked', handler: async () => undefined, onCompleted });
    const engine = track(createEngine({ storage, tasks: [hooked] }));
    const remote: EverTaskEvents['remote:task'][] = [];
    const local: string[] = [];
    engine.on('remote:task', (e) => remote.push(e));
    engine.on('task:completed', (e) => local.push(e.taskId));
    await engine.start();
    const entry = { type: 'task:completed', taskId: 'abc', taskName: 'hooked', queue: 'default', status: 'completed', at: 1_700_000_000_000, attempt: 1 } as const;
    await storage.notifications.notify({ kind: 'task-events', instanceId: engine.instanceId, events: [entry] });
    await storage.notifications.notify({ kind: 'task-events', instanceId: 'elsewhere', events: [entry] });
    await until(() => remote.length === 1);
    expect(remote[0]).toEqual({ ...entry, instanceId: 'elsewhere' });
    expect(local).toEqual([]);
    expect(onCompleted).not.toHaveBeenCalled();
  });

  it('reports entries rejected by the storage with remote:rejected and a warning, and carries on', async () => {
    const storage = new MemoryStorage();
    const warn = vi.fn();
    const engine = track(createEngine({ storage, tasks: [work], logger: { debug() {}, info() {}, warn, error() {} } }));
    const rejected: EverTaskEvents['remote:rejected'][] = [];
    engine.on('remote:rejected', (e) => rejected.push(e));
    await engine.start();
    const notification = { kind: 'task-events', instanceId: 'elsewhere', events: [], rejected: 2 } as StorageNotification;
    await storage.notifications.notify(notification);
    await until(() => rejected.length === 1);
    expect(rejected[0]).toMatchObject({ instanceId: 'elsewhere', rejected: 2 });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Ignored 2 malformed entries of the task event feed from elsewhere'));
    const id = await engine.dispatch(work, null);
    await waitForStatus(engine, id, 'completed');
  });

  it('refuses a bad eventFeed option and a malformed task-events notification', async () => {
    expect(() => createEngine({ tasks: [work], eventFeed: 'sometimes' as never })).toThrow(InvalidArgumentError);
    expect(() => createEngine({ tasks: [work], eventFeed: 'sometimes' as never })).toThrow("eventFeed must be one of 'when-watched', 'always', 'off'; received \"sometimes\".");
    const storage = new MemoryStorage();
    await storage.open();
    await expect(storage.notifications.notify({ kind: 'task-events', instanceId: 'x', events: [{ type: 'task:nope' }] } as never)).rejects.toThrow(/notification\.events\[0\]/);
    await expect(storage.notifications.notify({ kind: 'task-events', events: [] } as never)).rejects.toThrow(/notification\.instanceId/);
    await expect(storage.notifications.notify({ kind: 'task-events-watch' } as never)).rejects.toThrow(/notification\.instanceId/);
  });
});
