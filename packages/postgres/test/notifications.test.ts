import { expect, it } from 'vitest';
import { InvalidArgumentError, type StorageNotification } from 'evertask';
import { PostgresStorage } from '../src/index.js';
import { describeWithPostgres, makeTask, testPool, useStorages, waitFor } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();

describePg('PostgresStorage notifications (LISTEN/NOTIFY)', () => {
  const instances = useStorages(import.meta.url);

  it('delivers notifications to another instance on add and on notify()', async () => {
    const schema = instances.fresh();
    const producer = instances.make({ schema });
    const consumer = instances.make({ schema });
    const elsewhere = instances.make({ schema: instances.fresh() });
    await Promise.all([producer.open(), consumer.open(), elsewhere.open()]);
    const seen: StorageNotification[] = [];
    const unsubscribe = await consumer.subscribe((n) => seen.push(n));
    const otherSeen: StorageNotification[] = [];
    await elsewhere.subscribe((n) => otherSeen.push(n));

    const batch = [makeTask({ dueAt: 5000 }), makeTask({ dueAt: 3000 }), makeTask({ status: 'queued', dueAt: 1000, leaseOwner: 'p', leaseExpiresAt: 9 })];
    await producer.add(batch);
    await waitFor(() => seen.length === 1, 5000, 'notification of add');
    expect(seen[0]).toEqual({ kind: 'task-available', dueAt: 3000 });

    // Only leased (queued) tasks: the producer runs them itself, nobody is woken.
    await producer.add([makeTask({ status: 'queued', leaseOwner: 'p', leaseExpiresAt: 9 })]);
    await producer.notify({ kind: 'task-cancelled', taskId: batch[0]!.id });
    await waitFor(() => seen.length === 2, 5000, 'notification of notify()');
    expect(seen[1]).toEqual({ kind: 'task-cancelled', taskId: batch[0]!.id });
    expect(otherSeen).toEqual([]);

    await unsubscribe();
    await producer.notify({ kind: 'task-available' });
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toHaveLength(2);
    expect(consumer.listenerProcessId).toBeUndefined();
  });

  it('listens with the settings of a handed-in pool; notifications: false sends and listens nothing', async () => {
    const schema = instances.fresh();
    const pool = testPool(2);
    instances.onCleanup(() => pool.end());
    const consumer = new PostgresStorage({ pool, schema });
    instances.onCleanup(() => consumer.close());
    await consumer.open();
    const seen: StorageNotification[] = [];
    await consumer.subscribe((n) => seen.push(n));
    const quiet = instances.make({ schema, notifications: false });
    expect(quiet.capabilities.notifications).toBe(false);
    await quiet.add([makeTask()]);
    await quiet.notify({ kind: 'task-available' });
    await expect(quiet.subscribe(() => undefined)).rejects.toBeInstanceOf(InvalidArgumentError);
    const loud = instances.make({ schema });
    await loud.add([makeTask({ dueAt: 7 })]);
    await waitFor(() => seen.length === 1, 5000, 'notification through the pool-configured listener');
    expect(seen[0]).toMatchObject({ kind: 'task-available', dueAt: 7 });
    await consumer.close();
    expect(pool.ended).toBe(false);
  });

  it('reconnects the listener after its backend is terminated and says to re-check', async () => {
    const schema = instances.fresh();
    const producer = instances.make({ schema });
    const consumer = instances.make({ schema, listenerInitialBackoffMs: 20 });
    await Promise.all([producer.open(), consumer.open()]);
    const seen: StorageNotification[] = [];
    await consumer.subscribe((n) => seen.push(n));
    const pid = consumer.listenerProcessId;
    expect(pid).toBeTypeOf('number');
    await instances.admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await waitFor(() => seen.length === 1, 10_000, 'reconnect wake-up');
    expect(seen[0]).toEqual({ kind: 'task-available' });
    expect(consumer.listenerProcessId).not.toBe(pid);
    await producer.notify({ kind: 'task-available', dueAt: 42 });
    await waitFor(() => seen.length === 2, 5000, 'notification after reconnect');
    expect(seen[1]).toEqual({ kind: 'task-available', dueAt: 42 });
  });
});
