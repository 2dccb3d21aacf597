import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type pg from 'pg';
import { InvalidArgumentError, StorageError, type StorageNotification } from 'evertask';
import { PostgresStorage, POSTGRES_SCHEMA_VERSION } from '../src/index.js';
import { PG_URL, describeWithPostgres, dropSchemas, makeTask, testPool, testSchema, waitFor } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();
const PREFIX = testSchema(import.meta.url);

it('validates the schema name and the connection options', () => {
  for (const schema of ['EverTask', '1abc', 'a-b', 'a"b', '', 'x'.repeat(64), 'public; drop table x']) {
    expect(() => new PostgresStorage({ connectionString: PG_URL, schema })).toThrow(InvalidArgumentError);
  }
  expect(() => new PostgresStorage({ connectionString: PG_URL, schema: 'EverTask' })).toThrow(/lowercase SQL identifier/);
  expect(() => new PostgresStorage({ connectionString: PG_URL, schema: `a${'b'.repeat(62)}` })).not.toThrow();
  expect(() => new PostgresStorage({} as never)).toThrow(/exactly one of "connectionString"/);
  expect(() => new PostgresStorage({ connectionString: PG_URL, pool: {} } as never)).toThrow(InvalidArgumentError);
  expect(() => new PostgresStorage({ connectionString: PG_URL, migrate: 'yes' as never })).toThrow(/"migrate"/);
  expect(new PostgresStorage({ connectionString: PG_URL }).schema).toBe('evertask');
});

describePg('PostgresStorage (several instances on one database)', () => {
  let admin: pg.Pool;
  const cleanup: (() => Promise<void>)[] = [];
  let n = 0;
  const fresh = (): string => `${PREFIX}_${++n}`;
  const make = (options: Partial<ConstructorParameters<typeof PostgresStorage>[0]> & { schema: string }): PostgresStorage => {
    const storage = new PostgresStorage({ connectionString: PG_URL, ...options } as ConstructorParameters<typeof PostgresStorage>[0]);
    cleanup.push(() => storage.close());
    return storage;
  };

  beforeAll(() => {
    admin = testPool(3);
  });

  afterAll(async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
    await admin?.end();
    await dropSchemas(PREFIX);
  });

  it('migrates once when five instances open a fresh schema together', async () => {
    const schema = fresh();
    const storages = Array.from({ length: 5 }, () => make({ schema }));
    await Promise.all(storages.map((s) => s.open()));
    const res = await admin.query(`SELECT version FROM "${schema}".migrations ORDER BY version`);
    expect(res.rows.map((r) => r.version)).toEqual(Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1));
    await storages[0]!.add([makeTask()]);
    expect((await storages[4]!.query({})).total).toBe(1);
    await Promise.all(storages.map((s) => s.open())); // idempotent
  });

  it('with migrate: false, refuses a schema that is not migrated and accepts one that is', async () => {
    const schema = fresh();
    const strict = make({ schema, migrate: false });
    const error = await strict.open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toMatch(new RegExp(`schema "${schema}" is at migration version 0.*needs version ${POSTGRES_SCHEMA_VERSION}`));
    const res = await admin.query(`SELECT to_regclass($1) AS t`, [`${schema}.tasks`]);
    expect(res.rows[0].t).toBeNull();
    await make({ schema }).open();
    await strict.open();
  });

  it('never closes a pool it was handed', async () => {
    const schema = fresh();
    const pool = testPool(2);
    try {
      const storage = new PostgresStorage({ pool, schema });
      await storage.open();
      await storage.add([makeTask()]);
      await storage.close();
      await storage.close();
      expect(pool.ended).toBe(false);
      const res = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".tasks`);
      expect(res.rows[0].n).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('closes the pool it created, and can be opened again', async () => {
    const storage = make({ schema: fresh() });
    await storage.open();
    await storage.close();
    await expect(storage.get(makeTask().id)).rejects.toBeInstanceOf(StorageError);
    await storage.open();
    expect(await storage.get(makeTask().id)).toBeUndefined();
  });

  it('adds inside the caller transaction: visible on commit, gone on rollback', async () => {
    const schema = fresh();
    const storage = make({ schema });
    await storage.open();
    const pool = testPool(2);
    cleanup.push(() => pool.end());
    const seen: StorageNotification[] = [];
    const observer = make({ schema });
    const unsubscribe = await observer.subscribe((n) => seen.push(n));

    const rolledBack = makeTask();
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await storage.add([rolledBack], { tx: client, audit: true });
      // Not visible outside the transaction before it commits.
      expect(await storage.get(rolledBack.id)).toBeUndefined();
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await storage.get(rolledBack.id)).toBeUndefined();

    const committed = makeTask();
    const client2 = await pool.connect();
    try {
      await client2.query('BEGIN');
      await client2.query('SELECT 1');
      await storage.add([committed], { tx: client2, audit: true });
      expect(await storage.get(committed.id)).toBeUndefined();
      await client2.query('COMMIT');
    } finally {
      client2.release();
    }
    expect(await storage.get(committed.id)).toEqual(committed);
    expect(await storage.getStatusAudit(committed.id)).toHaveLength(1);
    // The NOTIFY of the rolled-back add never fired; the committed one did.
    await waitFor(() => seen.length > 0, 5000, 'notification of the committed add');
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual([{ kind: 'task-available', dueAt: committed.dueAt, taskId: committed.id }]);
    await unsubscribe();
  });

  it('delivers notifications to another instance on add and on notify()', async () => {
    const schema = fresh();
    const producer = make({ schema });
    const consumer = make({ schema });
    const elsewhere = make({ schema: fresh() });
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
    const schema = fresh();
    const pool = testPool(2);
    cleanup.push(() => pool.end());
    const consumer = new PostgresStorage({ pool, schema });
    cleanup.push(() => consumer.close());
    await consumer.open();
    const seen: StorageNotification[] = [];
    await consumer.subscribe((n) => seen.push(n));
    const quiet = make({ schema, notifications: false });
    expect(quiet.capabilities.notifications).toBe(false);
    await quiet.add([makeTask()]);
    await quiet.notify({ kind: 'task-available' });
    await expect(quiet.subscribe(() => undefined)).rejects.toBeInstanceOf(InvalidArgumentError);
    const loud = make({ schema });
    await loud.add([makeTask({ dueAt: 7 })]);
    await waitFor(() => seen.length === 1, 5000, 'notification through the pool-configured listener');
    expect(seen[0]).toMatchObject({ kind: 'task-available', dueAt: 7 });
    await consumer.close();
    expect(pool.ended).toBe(false);
  });

  it('reconnects the listener after its backend is terminated and says to re-check', async () => {
    const schema = fresh();
    const producer = make({ schema });
    const consumer = make({ schema, listenerInitialBackoffMs: 20 });
    await Promise.all([producer.open(), consumer.open()]);
    const seen: StorageNotification[] = [];
    await consumer.subscribe((n) => seen.push(n));
    const pid = consumer.listenerProcessId;
    expect(pid).toBeTypeOf('number');
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await waitFor(() => seen.length === 1, 10_000, 'reconnect wake-up');
    expect(seen[0]).toEqual({ kind: 'task-available' });
    expect(consumer.listenerProcessId).not.toBe(pid);
    await producer.notify({ kind: 'task-available', dueAt: 42 });
    await waitFor(() => seen.length === 2, 5000, 'notification after reconnect');
    expect(seen[1]).toEqual({ kind: 'task-available', dueAt: 42 });
  });

  it('never hands one task to two of four racing instances', async () => {
    const schema = fresh();
    const instances = Array.from({ length: 4 }, () => make({ schema, max: 4 }));
    await Promise.all(instances.map((s) => s.open()));
    const total = 2000;
    const now = 1_700_000_000_000;
    const tasks = Array.from({ length: total }, (_, i) => makeTask({ dueAt: now - total + i }));
    await instances[0]!.add(tasks);
    const claimedBy = new Map<string, string>();
    const duplicates: string[] = [];
    await Promise.all(
      instances.map(async (storage, index) => {
        const owner = `instance-${index}`;
        // Several concurrent claim loops per instance, like workers of one engine.
        await Promise.all(
          Array.from({ length: 3 }, async () => {
            for (;;) {
              const batch = await storage.claimDue({ owner, now, limit: 16, leaseMs: 60_000 });
              if (batch.length === 0) return;
              for (const task of batch) {
                if (claimedBy.has(task.id)) duplicates.push(task.id);
                claimedBy.set(task.id, owner);
              }
              await storage.transition(
                batch.map((task) => ({ id: task.id, from: ['queued'], owner, to: 'completed', at: now, audit: { error: null } })),
              );
            }
          }),
        );
      }),
    );
    expect(duplicates).toEqual([]);
    expect(claimedBy.size).toBe(total);
    const owners = new Set(claimedBy.values());
    expect(owners.size).toBeGreaterThan(1);
    expect(await instances[1]!.count()).toEqual([{ queue: 'default', status: 'completed', count: total }]);
    const audits = await admin.query(`SELECT count(*)::int AS n FROM "${schema}".status_audit`);
    expect(audits.rows[0].n).toBe(total);
  });

  it('takes over the tasks of a crashed instance when their lease expires', async () => {
    const schema = fresh();
    const [a, b] = [make({ schema }), make({ schema })];
    await Promise.all([a.open(), b.open()]);
    const now = 1_700_000_000_000;
    await a.add([makeTask({ dueAt: now }), makeTask({ dueAt: now })]);
    expect(await a.claimDue({ owner: 'a', now, limit: 10, leaseMs: 30_000 })).toHaveLength(2);
    expect(await b.claimDue({ owner: 'b', now: now + 29_999, limit: 10, leaseMs: 30_000 })).toHaveLength(0);
    const taken = await b.claimDue({ owner: 'b', now: now + 30_000, limit: 10, leaseMs: 30_000 });
    expect(taken.map((t) => t.leaseOwner)).toEqual(['b', 'b']);
    // The crashed owner's late completion is refused by the lease guard.
    expect(await a.transition([{ id: taken[0]!.id, from: ['queued'], owner: 'a', to: 'completed', at: now }])).toEqual([false]);
  });

  it('reports an unreachable database as a transient StorageError naming the operation', async () => {
    const server: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const storage = make({ schema: fresh(), connectionString: `postgres://postgres@127.0.0.1:${port}/test` } as never);
    const error = await storage.open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).transient).toBe(true);
    expect((error as Error).message).toMatch(/PostgresStorage\.open failed/);
    const claimError = await storage.claimDue({ owner: 'x', now: 1, limit: 1, leaseMs: 1 }).catch((e: unknown) => e);
    expect(claimError).toBeInstanceOf(StorageError);
    expect((claimError as StorageError).transient).toBe(true);
    expect((claimError as Error).message).toMatch(/claimDue/);
    const subscribeError = await storage.subscribe(() => undefined).catch((e: unknown) => e);
    expect((subscribeError as StorageError).transient).toBe(true);
  });

  it('reports terminated connections (admin shutdown) as transient, then recovers', async () => {
    const schema = fresh();
    const appName = `evertask_kill_${process.pid}`;
    const storage = make({ schema, max: 2, connectionString: `${PG_URL}?application_name=${appName}` } as never);
    await storage.open();
    const pool = testPool(1);
    cleanup.push(() => pool.end());
    const own = await pool.connect();
    own.on('error', () => undefined); // its backend is about to be terminated while checked out
    const pid = (await own.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    const tx = own;
    await tx.query('BEGIN');
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    const error = await storage.add([makeTask()], { tx }).catch((e: unknown) => e);
    own.release(true);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).transient).toBe(true);
    expect((error as Error).message).toMatch(/PostgresStorage\.add failed/);

    // Kill the storage's pooled connections while idle: the pool drops them and reconnects.
    await storage.get(makeTask().id);
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = $1`,
      [appName],
    );
    let recovered = false;
    for (let attempt = 0; attempt < 5 && !recovered; attempt++) {
      try {
        await storage.add([makeTask()]);
        recovered = true;
      } catch (e) {
        expect(e).toBeInstanceOf(StorageError);
        expect((e as StorageError).transient).toBe(true);
      }
    }
    expect(recovered).toBe(true);
  });
});
