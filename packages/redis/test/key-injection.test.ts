import { afterAll, expect, it } from 'vitest';
import { TASK_STATUSES } from 'evertask';
import { KeyNames } from '../src/keys.js';
import { describeSqlInjection, evilTasks } from '../../evertask/test/support/sql-injection.js';
import { adminClient, deletePrefix, describeWithRedis, makeStorage, testPrefix } from './redis-test-helpers.js';

const describeRedis = await describeWithRedis();

/**
 * On Redis the risk is key and pattern injection: names, queues and task keys that hold glob
 * characters (`*`, `?`, `[`), hash-tag braces and the `:` separator must stay literal text inside
 * the key names and hash fields the storage builds, and never select or create other keys.
 */
describeRedis('Redis key and pattern injection', () => {
  const admin = adminClient();
  const prefixes: string[] = [];
  let current = '';
  afterAll(async () => {
    for (const prefix of prefixes) await deletePrefix(prefix);
    admin.disconnect();
  });

  /** Every key under `{prefix}`, found by SCAN on that pattern (the prefix is checked: no glob characters). */
  async function keysUnder(prefix: string): Promise<string[]> {
    if (admin.status === 'wait') await admin.connect();
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `{${prefix}}:*`, 'COUNT', 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
    return found.sort();
  }

  function fresh() {
    current = testPrefix('injection');
    prefixes.push(current);
    return makeStorage({ prefix: current });
  }

  describeSqlInjection('RedisStorage', () => ({
    open: async () => {
      const storage = fresh();
      await storage.open();
      return storage;
    },
    close: (storage) => storage.close(),
    withIdentifier: (identifier) => makeStorage({ prefix: identifier }),
    // a SQL comment, but a plain key prefix here: nothing parses a prefix, it is only concatenated
    acceptedIdentifiers: ['tasks--'],
    // the key families (`t`, `s`, `key`, …): an injected name that created or dropped keys of another kind changes them
    tables: async () => [...new Set((await keysUnder(current)).map((key) => key.slice(`{${current}}:`.length).split(':')[0] as string))].sort(),
  }));

  it('every key the evil tasks create is one of the names the layout defines, built literally from the text', async () => {
    const storage = fresh();
    await storage.open();
    try {
      const tasks = evilTasks();
      await storage.add(tasks);
      const names = new KeyNames(current);
      const allowed = new Set([names.meta, names.queues, names.taskKeys, `${names.base}:seq`, `${names.base}:fin`]);
      for (const task of tasks) {
        allowed.add(names.task(task.id)).add(names.statusAudit(task.id)).add(`${names.base}:due:${task.queue}`).add(`${names.base}:lease:${task.queue}`);
        for (const status of TASK_STATUSES) allowed.add(names.status(task.queue, status));
      }
      const found = await keysUnder(current);
      expect(found.filter((key) => !allowed.has(key))).toEqual([]);
      for (const task of tasks) {
        expect(found, task.queue).toContain(names.task(task.id));
        expect(found, task.queue).toContain(names.status(task.queue, task.status));
        expect(await admin.hget(names.taskKeys, task.taskKey as string), task.taskKey as string).toBe(task.id);
      }
      expect(await admin.smembers(names.queues)).toHaveLength(tasks.length);
    } finally {
      await storage.close();
    }
  });
});
