import { expect, it } from 'vitest';
import { StorageError } from 'evertask';
import { PostgresStorage } from '../src/index.js';
import { describeWithPostgres, makeTask, testPool, useStorages } from './pg-test-helpers.js';

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
});
