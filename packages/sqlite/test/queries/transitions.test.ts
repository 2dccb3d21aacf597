import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, StorageError, uuidv7, type StoredTask } from 'evertask';
import { T0, log, makeTask } from '../helpers.js';
import { useFreshStorage } from '../fresh-storage.js';

describe('SQLite queries: transitions', () => {
  const fixture = useFreshStorage();

  it('transition applies guards (status and lease owner) and writes audit, run audit and logs only when applied', async () => {
    const { storage } = fixture;
    const task = makeTask({ status: 'queued', leaseOwner: 'a', leaseExpiresAt: T0 + 1000 });
    await storage.add([task]);
    const results = await storage.transition([
      { id: task.id, from: ['queued'], owner: 'b', to: 'in-progress', at: T0 + 1, audit: { error: null } },
      { id: task.id, from: ['waiting'], to: 'in-progress', at: T0 + 1, audit: { error: null } },
      {
        id: task.id,
        from: ['queued'],
        owner: 'a',
        to: 'in-progress',
        at: T0 + 2,
        patch: { attempts: 1 },
        audit: { error: null },
        logs: [log(task.id, T0 + 2, 0)],
      },
      {
        id: task.id,
        from: ['in-progress'],
        owner: 'a',
        to: 'completed',
        at: T0 + 3,
        patch: { leaseOwner: null, leaseExpiresAt: null, executionTimeMs: 1.5, lastExecutionAt: T0 + 3, dueAt: null },
        audit: { error: null },
        runAudit: { at: T0 + 3, status: 'completed', executionTimeMs: 1.5, error: null },
        logs: [log(task.id, T0 + 3, 1)],
      },
      { id: task.id, from: ['in-progress', 'queued'], to: 'cancelled', at: T0 + 4, audit: { error: 'late' } },
      { id: uuidv7(), from: ['waiting'], to: 'queued', at: T0 + 5 },
      { id: task.id, from: [], to: 'failed', at: T0 + 6 },
    ]);
    expect(results).toEqual([false, false, true, true, false, false, false]);
    const stored = (await storage.get(task.id)) as StoredTask;
    expect(stored).toMatchObject({
      status: 'completed',
      updatedAt: T0 + 3,
      attempts: 1,
      leaseOwner: null,
      leaseExpiresAt: null,
      executionTimeMs: 1.5,
      dueAt: null,
    });
    expect((await storage.getStatusAudit(task.id)).map((a) => a.status)).toEqual(['in-progress', 'completed']);
    expect(await storage.getRunAudit(task.id)).toEqual([
      { taskId: task.id, at: T0 + 3, status: 'completed', executionTimeMs: 1.5, error: null },
    ]);
    expect((await storage.getExecutionLogs(task.id)).map((l) => l.message)).toEqual(['m0', 'm1']);
    await expect(storage.transition([{ id: task.id, from: ['waiting'], to: 'nope' as never, at: T0 }])).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    for (const priorAudits of ['x', [{ status: 'nope', at: T0, error: null }], [{ status: 'queued', at: 'soon', error: null }], [{ status: 'queued', at: T0, error: 1 }]]) {
      await expect(
        storage.transition([{ id: task.id, from: ['completed'], to: 'completed', at: T0, priorAudits: priorAudits as never }]),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    expect(await storage.getStatusAudit(task.id)).toHaveLength(2);
  });

  it('transition batch is one transaction: a failing write rolls back the whole batch', async () => {
    const { storage } = fixture;
    const a = makeTask();
    const b = makeTask();
    await storage.add([a, b]);
    const duplicateLog = log(a.id, T0, 0);
    await storage.saveExecutionLogs(a.id, [duplicateLog]);
    await expect(
      storage.transition([
        { id: b.id, from: ['waiting'], to: 'cancelled', at: T0 + 1, audit: { error: null } },
        { id: a.id, from: ['waiting'], to: 'cancelled', at: T0 + 1, logs: [duplicateLog] },
      ]),
    ).rejects.toBeInstanceOf(StorageError);
    expect((await storage.get(b.id))?.status).toBe('waiting');
    expect(await storage.getStatusAudit(b.id)).toEqual([]);
  });
});
