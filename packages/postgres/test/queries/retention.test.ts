import { expect, it } from 'vitest';
import { describeWithPostgres, makeLog, makeTask, useStorage } from '../pg-test-helpers.js';

const describePg = await describeWithPostgres();

describePg('PostgresStorage retention', () => {
  const fixture = useStorage(import.meta.url);

  it('cleans up old finished one-off tasks and old history, never recurring or active tasks', async () => {
    const oldDone = makeTask({ status: 'completed', updatedAt: 100 });
    const newDone = makeTask({ status: 'completed', updatedAt: 10_000 });
    const oldFailed = makeTask({ status: 'failed', updatedAt: 100 });
    const oldCancelled = makeTask({ status: 'cancelled', updatedAt: 100 });
    const recurring = makeTask({ status: 'completed', updatedAt: 100, recurring: '{}' });
    const active = makeTask({ status: 'waiting', updatedAt: 100 });
    await fixture.storage.add([oldDone, newDone, oldFailed, oldCancelled, recurring, active]);
    await fixture.storage.saveExecutionLogs(active.id, [makeLog(active.id, 0, 50), makeLog(active.id, 1, 5000)]);
    await fixture.storage.transition([{ id: active.id, from: ['waiting'], to: 'waiting', at: 60, audit: { error: null } }]);
    const result = await fixture.storage.cleanup({ completedBefore: 1000, auditBefore: 1000, logsBefore: 1000 });
    expect(result).toEqual({ tasks: 1, audits: 1, logs: 1 });
    expect(await fixture.storage.get(oldDone.id)).toBeUndefined();
    expect(await fixture.storage.get(oldFailed.id)).toBeDefined();
    expect((await fixture.storage.cleanup({ failedBefore: 1000 })).tasks).toBe(2);
    expect(await fixture.storage.get(recurring.id)).toBeDefined();
    expect(await fixture.storage.get(active.id)).toBeDefined();
    expect(await fixture.storage.get(newDone.id)).toBeDefined();
  });
});
