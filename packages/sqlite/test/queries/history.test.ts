import { describe, expect, it } from 'vitest';
import { StorageError, uuidv7 } from 'evertask';
import { T0, log, makeTask } from '../helpers.js';
import { useFreshStorage } from '../fresh-storage.js';

describe('SQLite queries: history (audit and logs)', () => {
  const fixture = useFreshStorage();

  it('execution logs are ordered by (at, sequence, id), paged and counted; remove cascades', async () => {
    const { storage } = fixture;
    const task = makeTask();
    await storage.add([task], { audit: true });
    await storage.saveExecutionLogs(task.id, [log(task.id, T0 + 2, 0, 'c'), log(task.id, T0 + 1, 1, 'b'), log(task.id, T0 + 1, 0, 'a')]);
    await storage.saveExecutionLogs(task.id, []);
    expect((await storage.getExecutionLogs(task.id)).map((l) => l.message)).toEqual(['a', 'b', 'c']);
    expect((await storage.getExecutionLogs(task.id, 1, 1)).map((l) => l.message)).toEqual(['b']);
    expect(await storage.getExecutionLogs(task.id, 0, 0)).toEqual([]);
    expect(await storage.countExecutionLogs(task.id)).toBe(3);
    await expect(storage.saveExecutionLogs(uuidv7(), [log(task.id, T0, 0)])).rejects.toBeInstanceOf(StorageError);

    expect(await storage.remove(task.id)).toBe(true);
    expect(await storage.remove(task.id)).toBe(false);
    expect(await storage.countExecutionLogs(task.id)).toBe(0);
    expect(await storage.getStatusAudit(task.id)).toEqual([]);
  });
});
