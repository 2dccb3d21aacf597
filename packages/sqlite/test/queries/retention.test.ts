import { describe, expect, it } from 'vitest';
import { T0, log, makeTask } from '../helpers.js';
import { useFreshStorage } from '../fresh-storage.js';
import { countExecutionLogs } from 'evertask';

describe('SQLite queries: retention', () => {
  const fixture = useFreshStorage();

  it('cleanup removes old finished one-off tasks and old history, never recurring or active tasks', async () => {
    const { storage } = fixture;
    const oldDone = makeTask({ status: 'completed', updatedAt: T0 + 10 });
    const newDone = makeTask({ status: 'completed', updatedAt: T0 + 1000 });
    const oldFailed = makeTask({ status: 'failed', updatedAt: T0 + 10 });
    const oldCancelled = makeTask({ status: 'cancelled', updatedAt: T0 + 10 });
    const recurringDone = makeTask({ status: 'completed', updatedAt: T0 + 10, recurring: '{}' });
    const active = makeTask({ status: 'waiting', updatedAt: T0 + 10 });
    await storage.add([oldDone, newDone, oldFailed, oldCancelled, recurringDone, active], { audit: true });
    await storage.saveExecutionLogs(active.id, [log(active.id, T0 + 5, 0), log(active.id, T0 + 500, 1)]);

    // the audit row written by add goes with its task, and counts
    expect(await storage.cleanup({ completedBefore: T0 + 100 })).toEqual({ tasks: 1, audits: 1, logs: 0 });
    expect(await storage.get(oldDone.id)).toBeUndefined();
    expect(await storage.cleanup({ failedBefore: T0 + 100, logsBefore: T0 + 100 })).toEqual({ tasks: 2, audits: 2, logs: 1 });
    expect(await storage.cleanup({ auditBefore: T0 + 1 })).toEqual({ tasks: 0, audits: 3, logs: 0 });
    expect(await storage.get(recurringDone.id)).toBeDefined();
    expect(await storage.get(active.id)).toBeDefined();
    expect(await storage.get(newDone.id)).toBeDefined();
    expect(await countExecutionLogs(storage, active.id)).toBe(1);
    expect(await storage.cleanup({})).toEqual({ tasks: 0, audits: 0, logs: 0 });
  });

  it('cleanup deletes large volumes in chunks, counting the history of every chunk', async () => {
    const { storage } = fixture;
    const many = Array.from({ length: 4500 }, () => makeTask({ status: 'completed', updatedAt: T0 }));
    await storage.add(many, { audit: true });
    expect(await storage.cleanup({ completedBefore: T0 + 1 })).toEqual({ tasks: 4500, audits: 4500, logs: 0 });
    expect((await storage.query({})).total).toBe(0);
  });
});
