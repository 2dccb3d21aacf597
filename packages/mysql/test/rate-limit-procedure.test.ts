import mysql from 'mysql2/promise';
import { expect, it } from 'vitest';
import type { RateLimitRequest } from 'evertask';
import { StorageError } from 'evertask';
import { MySqlStorage } from '../src/index.js';
import { adminConnection, describeWithMySql, useDatabase } from './mysql-test-helpers.js';

const describeMySql = await describeWithMySql();

/** 4 permits per second, burst 2 (T = 250 ms, tau = 250 ms), horizon 10 s. */
function request(reservationId: string, now: number, key: string): RateLimitRequest {
  return { policyKey: 'api-call', key, reservationId, now, intervalMs: 250, toleranceMs: 250, horizonMs: 10_000, startEmpty: false };
}

const NOW = 1_700_000_000_000;

describeMySql('the rate_limit_acquire procedure', () => {
  // a database whose default character set is latin1: the procedure must not depend on it
  const { database, uri } = useDatabase(import.meta.url, { charset: 'latin1', collation: 'latin1_swedish_ci' });

  /** A storage on a pool that records every statement sent through `query` and every connection taken. */
  async function countedStorage(tablePrefix: string) {
    const pool = mysql.createPool({ uri, connectionLimit: 2 });
    const counts = { sent: [] as string[], connectionsTaken: 0 };
    const counting = new Proxy(pool, {
      get(target, property, receiver) {
        if (property === 'query') return (sql: string, values?: unknown) => (counts.sent.push(sql), target.query(sql, values as never));
        if (property === 'getConnection') return () => (counts.connectionsTaken++, target.getConnection());
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const storage = new MySqlStorage({ pool: counting, tablePrefix });
    await storage.open();
    counts.sent.length = 0;
    counts.connectionsTaken = 0;
    return { storage, counts, close: async () => (await storage.close(), await pool.end()) };
  }

  it('a batch of acquisitions over several keys is one statement on one pooled call', async () => {
    const { storage, counts, close } = await countedStorage('counted_');
    try {
      const batch = ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) => request(id, NOW, i % 2 === 0 ? 'even' : 'odd'));
      const decisions = await storage.rateLimits.acquire(batch);
      expect(decisions.map((d) => [d.acquired, d.slotAt])).toEqual([
        [true, NOW],
        [true, NOW],
        [true, NOW],
        [true, NOW],
        [false, NOW + 250],
        [false, NOW + 250],
      ]);
      expect(counts.sent).toEqual(['CALL `counted_rate_limit_acquire`(?)']);
      expect(counts.connectionsTaken).toBe(0);
      // redemption of both reservations at their slot: one statement again
      expect(await storage.rateLimits.acquire([request('e', NOW + 250, 'even'), request('f', NOW + 250, 'odd')])).toEqual([
        { acquired: true, slotAt: NOW + 250, rejected: false },
        { acquired: true, slotAt: NOW + 250, rejected: false },
      ]);
      expect(counts.sent).toHaveLength(2);
    } finally {
      await close();
    }
  });

  it('a batch of more than 500 requests goes out as calls of 500, answered in order', async () => {
    const { storage, counts, close } = await countedStorage('chunked_');
    try {
      // one key, 1 start per 250 ms and a burst of 2: the 1,100 requests are stepped in order across the calls
      const batch = Array.from({ length: 1100 }, (_, i) => request(`c${i}`, NOW, 'one'));
      const decisions = await storage.rateLimits.acquire(batch);
      expect(counts.sent).toHaveLength(3);
      expect(decisions.slice(0, 3)).toEqual([
        { acquired: true, slotAt: NOW, rejected: false },
        { acquired: true, slotAt: NOW, rejected: false },
        { acquired: false, slotAt: NOW + 250, rejected: false },
      ]);
      // slots keep rising by 250 ms across the call boundaries, up to the 10 s horizon, then rejections
      const parked = decisions.filter((d) => !d.acquired && !d.rejected).map((d) => d.slotAt);
      expect(parked).toEqual(Array.from({ length: 40 }, (_, i) => NOW + 250 * (i + 1)));
      expect(decisions.slice(42).every((d) => d.rejected && d.slotAt === NOW + 10_250)).toBe(true);
    } finally {
      await close();
    }
  });

  it('keys outside latin1, with quotes and backslashes, stay distinct budgets and read back exactly', async () => {
    const storage = new MySqlStorage({ uri, tablePrefix: 'text_', connectionLimit: 2 });
    const keys = ['tenant-😀', "o'brien", 'back\\slash', 'Tenant-😀', 'ä', 'a'];
    try {
      await storage.open();
      // two starts per key conform (burst 2); the third of each key is parked behind them
      const batch = keys.flatMap((key, i) => [0, 1, 2].map((j) => request(`r${i}-${j}`, NOW, key)));
      const decisions = await storage.rateLimits.acquire(batch);
      expect(decisions.map((d) => d.acquired)).toEqual(keys.flatMap(() => [true, true, false]));
      const status = await storage.rateLimits.introspect();
      expect(status.trackedKeys).toBe(keys.length);
      expect(status.reserved).toBe(keys.length);
      expect(status.keys.map((k) => k.key).sort()).toEqual([...keys].sort());
    } finally {
      await storage.close();
    }
  });

  it('a procedure changed outside EverTask is a StorageError that names the fix', async () => {
    const storage = new MySqlStorage({ uri, tablePrefix: 'changed_', connectionLimit: 2 });
    const admin = await adminConnection(database);
    try {
      await storage.open();
      await admin.query("DROP PROCEDURE `changed_rate_limit_acquire`; CREATE PROCEDURE `changed_rate_limit_acquire`(IN requests LONGTEXT) SELECT 'nonsense' AS decisions");
      const error = await storage.rateLimits.acquire([request('a', NOW, 'k')]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as Error).message).toMatch(/rate_limit_acquire procedure answered nonsense for 1 requests.*delete version 5 from the <prefix>migrations table/);
    } finally {
      await admin.end();
      await storage.close();
    }
  });
});
