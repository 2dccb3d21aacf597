import { expect, it } from 'vitest';
import { StorageError } from 'evertask';
import { TcpProxy } from '../../evertask/test/support/tcp-proxy.js';
import { PostgresConnection } from '../src/connection.js';
import { PostgresStorage } from '../src/index.js';
import { PG_URL, describeWithPostgres, makeTask, testPool, useStorages } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();

describePg('PostgresStorage connection: the pool it owns or borrows', () => {
  const instances = useStorages(import.meta.url);

  it('never closes a pool it was handed', async () => {
    const schema = instances.fresh();
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
    const storage = instances.make({ schema: instances.fresh() });
    await storage.open();
    await storage.close();
    await expect(storage.get(makeTask().id)).rejects.toBeInstanceOf(StorageError);
    await storage.open();
    expect(await storage.get(makeTask().id)).toBeUndefined();
  });

  // found by the chaos suite: a worker process died of an unhandled 'error' event when its
  // connection was cut during a transaction
  it('a connection dropped inside a transaction rejects the transaction and does not crash the process', async () => {
    const server = new URL(PG_URL);
    const proxy = new TcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    await proxy.listen();
    const viaProxy = new URL(PG_URL);
    viaProxy.port = String(proxy.port);
    const connection = new PostgresConnection({ connectionString: viaProxy.toString(), pool: undefined, max: 1, preparedStatements: false, schema: 'public' });
    try {
      const outcome = connection.transaction('probe', async (client) => {
        await client.query('SELECT 1');
        const ended = new Promise((resolve) => client.once('end', resolve));
        await proxy.cut();
        await ended; // the drop was emitted on the client (as 'error', then 'end') between two statements
        await client.query('SELECT 1');
      });
      const error = await outcome.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).message).toContain('probe');
      // the pool serves again once the server is reachable (the broken client was discarded)
      await proxy.restore();
      expect((await connection.run('probe', { text: 'SELECT 2 AS n' })).rows[0]).toEqual({ n: 2 });
    } finally {
      await connection.end();
      await proxy.cut();
    }
  });
});
