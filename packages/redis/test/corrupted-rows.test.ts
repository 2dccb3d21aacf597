import { afterAll, beforeEach, expect, it } from 'vitest';
import { StorageError } from 'evertask';
import { KeyNames } from '../src/keys.js';
import { describeCorruptedRows, type RowCorruption } from '../../evertask/test/support/corrupted-rows.js';
import { adminClient, deletePrefix, describeWithRedis, makeStorage, makeTask, testPrefix } from './redis-test-helpers.js';

const describeRedis = await describeWithRedis();

describeRedis('Redis corrupted rows', () => {
  const prefix = testPrefix('corrupted');
  const keys = new KeyNames(prefix);
  const admin = adminClient();
  // one field of the task's hash, set by hand (HSET outside EverTask)
  const FIELDS: Record<RowCorruption, [field: string, value: string]> = {
    'invalid-json-payload': ['payload', '{"n": 0,'],
    'unknown-task-name': ['name', 'renamed-by-hand'],
    'impossible-status': ['status', 'exploded'],
    'wrong-type': ['created_at', 'yesterday'],
  };
  async function client() {
    if (admin.status === 'wait') await admin.connect();
    return admin;
  }
  beforeEach(async () => {
    await deletePrefix(prefix);
  });
  afterAll(async () => {
    await deletePrefix(prefix);
    admin.disconnect();
  });

  describeCorruptedRows('RedisStorage', () => ({
    storage: () => makeStorage({ prefix }),
    corrupt: async (id, kind) => {
      const [field, value] = FIELDS[kind];
      const c = await client();
      if ((await c.exists(keys.task(id))) !== 1) throw new Error(`no hash ${keys.task(id)} to corrupt`);
      await c.hset(keys.task(id), field, value);
    },
    recordNewerSchema: async () => void (await (await client()).hset(keys.meta, 'version', '999')),
    forgetNewerSchema: async () => void (await (await client()).hset(keys.meta, 'version', '1')),
  }));
});

describeRedis('Redis keys of the wrong type', () => {
  const prefix = testPrefix('wrong-type');
  const keys = new KeyNames(prefix);
  const admin = adminClient();
  afterAll(async () => {
    await deletePrefix(prefix);
    admin.disconnect();
  });

  it('a task hash replaced by a string is a non-transient StorageError (WRONGTYPE); other tasks are still read', async () => {
    const storage = makeStorage({ prefix });
    await storage.open();
    try {
      const [bad, good] = [makeTask({ name: 'bad' }), makeTask({ name: 'good' })];
      await storage.add([bad, good]);
      await admin.connect();
      await admin.del(keys.task(bad.id));
      await admin.set(keys.task(bad.id), 'not a hash');
      const error = await storage.get(bad.id).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StorageError);
      expect((error as Error).message).toMatch(/WRONGTYPE/);
      expect((error as StorageError).transient).toBe(false);
      expect((await storage.get(good.id))?.name).toBe('good');
    } finally {
      await storage.close();
    }
  });
});
