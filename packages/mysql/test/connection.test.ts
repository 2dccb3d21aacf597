import mysql from 'mysql2/promise';
import { expect, it } from 'vitest';
import { StorageError } from 'evertask';
import { MySqlStorage } from '../src/index.js';
import { waitFor } from '../../evertask/test/support/wait-for.js';
import { describeWithMySql, makeStorage, makeTask, useDatabase } from './mysql-test-helpers.js';

const describeMySql = await describeWithMySql();

describeMySql('MySqlStorage connections', () => {
  const { uri } = useDatabase(import.meta.url);

  it('never ends a pool it was handed, and works without multipleStatements (one statement at a time)', async () => {
    const pool = mysql.createPool({ uri, connectionLimit: 2 });
    try {
      const storage = new MySqlStorage({ pool, tablePrefix: 'handed_' });
      await storage.open();
      const task = makeTask({ status: 'waiting', dueAt: 1_700_000_000_000 });
      const other = makeTask({ status: 'waiting', dueAt: 1_700_000_000_000 });
      await storage.add([task, other], { audit: true });
      const claimed = await storage.claimDue({ owner: 'a', now: 1_700_000_000_001, limit: 5, leaseMs: 1000 });
      expect(claimed.map((t) => t.id).sort()).toEqual([task.id, other.id].sort());
      const applied = await storage.transition([
        { id: task.id, from: ['queued'], owner: 'a', to: 'completed', at: 1_700_000_000_002, audit: { error: null } },
        { id: other.id, from: ['queued'], owner: 'b', to: 'completed', at: 1_700_000_000_002, audit: { error: null } },
      ]);
      expect(applied).toEqual([true, false]);
      expect((await storage.getStatusAudit(task.id)).map((row) => row.status)).toEqual(['waiting', 'completed']);
      await storage.close();
      const [rows] = await pool.query<mysql.RowDataPacket[]>('SELECT 1 AS alive');
      expect(rows[0]?.alive).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('joins the caller’s transaction in add (options.tx): nothing is stored when the caller rolls back', async () => {
    const storage = makeStorage(uri, { tablePrefix: 'tx_' });
    await storage.open();
    const connection = await mysql.createConnection({ uri });
    try {
      const rolledBack = makeTask();
      await connection.query('START TRANSACTION');
      await storage.add([rolledBack], { tx: connection, audit: true });
      await connection.query('ROLLBACK');
      expect(await storage.get(rolledBack.id)).toBeUndefined();
      const committed = makeTask();
      await connection.query('START TRANSACTION');
      await storage.add([committed], { tx: connection });
      await connection.query('COMMIT');
      expect((await storage.get(committed.id))?.id).toBe(committed.id);
    } finally {
      await connection.end();
      await storage.close();
    }
  });

  it('retries a write that hit a lock wait timeout, and says "transient" when the retries run out', async () => {
    // the storage's connections give up waiting for a row lock after one second
    const pool = mysql.createPool({ uri, connectionLimit: 2, multipleStatements: true });
    pool.pool.on('connection', (connection) => {
      connection.query('SET SESSION innodb_lock_wait_timeout = 1');
    });
    const holder = await mysql.createConnection({ uri });
    try {
      const storage = new MySqlStorage({ pool, tablePrefix: 'locks_', transientRetries: 6, retryInitialBackoffMs: 50 });
      await storage.open();
      const task = makeTask();
      await storage.add([task]);
      await holder.query('START TRANSACTION');
      await holder.query('SELECT id FROM locks_tasks WHERE id = ? FOR UPDATE', [task.id]);
      const lockWaits = async (): Promise<number> => {
        const [rows] = await holder.query<mysql.RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Innodb_row_lock_waits'");
        return Number(rows[0]?.Value);
      };
      const before = await lockWaits();
      const update = storage.update(task.id, { payload: '{"n":2}' });
      // the first attempt waits its second and times out (1205); release the lock once a second
      // attempt waits for it too
      await waitFor(async () => (await lockWaits()) >= before + 2, 20_000, 'a second lock wait (the retry)');
      await holder.query('COMMIT');
      await expect(update).resolves.toBe(true);
      expect((await storage.get(task.id))?.payload).toBe('{"n":2}');

      const impatient = new MySqlStorage({ pool, tablePrefix: 'locks_', transientRetries: 0 });
      await holder.query('START TRANSACTION');
      await holder.query('SELECT id FROM locks_tasks WHERE id = ? FOR UPDATE', [task.id]);
      const error = await impatient.update(task.id, { payload: '{"n":3}' }).catch((caught: unknown) => caught);
      await holder.query('ROLLBACK');
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).transient).toBe(true);
      expect((error as Error).message).toMatch(/MySqlStorage\.update failed: .*1205.*transient/);
      await storage.close();
      await impatient.close();
    } finally {
      await holder.end();
      await pool.end();
    }
  });

  it('reports an unreachable server as a transient StorageError naming the operation', async () => {
    const storage = new MySqlStorage({ uri: 'mysql://root@127.0.0.1:1/none', transientRetries: 1, retryInitialBackoffMs: 1 });
    const error = await storage.open().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).transient).toBe(true);
    expect((error as Error).message).toMatch(/MySqlStorage\.open failed: .*ECONNREFUSED/);
    await storage.close();
  });
});
