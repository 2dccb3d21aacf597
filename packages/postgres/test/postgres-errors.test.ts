import { createServer, type Server } from 'node:net';
import { expect, it } from 'vitest';
import { StorageError } from 'evertask';
import { PG_URL, describeWithPostgres, makeTask, testPool, useStorage, useStorages } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();

describePg('PostgresStorage driver errors', () => {
  const fixture = useStorage(import.meta.url);
  const instances = useStorages(import.meta.url);

  it('wraps a non-transient database error in a StorageError naming the operation', async () => {
    const t = makeTask();
    await fixture.storage.add([t]);
    const error = await fixture.storage.add([t]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toMatch(/PostgresStorage\.add failed/);
    expect((error as StorageError).transient).toBe(false);
    expect((error as StorageError).cause).toBeDefined();
  });

  it('reports an unreachable database as a transient StorageError naming the operation', async () => {
    const server: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const storage = instances.make({ schema: instances.fresh(), connectionString: `postgres://postgres@127.0.0.1:${port}/test` } as never);
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

  it('reports terminated connections (instances.admin shutdown) as transient, then recovers', async () => {
    const schema = instances.fresh();
    const appName = `evertask_kill_${process.pid}`;
    const storage = instances.make({ schema, max: 2, connectionString: `${PG_URL}?application_name=${appName}` } as never);
    await storage.open();
    const pool = testPool(1);
    instances.onCleanup(() => pool.end());
    const own = await pool.connect();
    own.on('error', () => undefined); // its backend is about to be terminated while checked out
    const pid = (await own.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    const tx = own;
    await tx.query('BEGIN');
    await instances.admin.query('SELECT pg_terminate_backend($1)', [pid]);
    const error = await storage.add([makeTask()], { tx }).catch((e: unknown) => e);
    own.release(true);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).transient).toBe(true);
    expect((error as Error).message).toMatch(/PostgresStorage\.add failed/);

    // Kill the storage's pooled connections while idle: the pool drops them and reconnects.
    await storage.get(makeTask().id);
    await instances.admin.query(
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
