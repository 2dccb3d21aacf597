import { expect, it } from 'vitest';
import { uuidv7 } from 'evertask';
import { describeWithPostgres, makeLog, makeTask, useStorage } from '../pg-test-helpers.js';
import { countExecutionLogs } from 'evertask';

const describePg = await describeWithPostgres();

describePg('PostgresStorage transitions', () => {
  const fixture = useStorage(import.meta.url);

  it('transitions a batch in one statement with guards, audit, run audit and logs', async () => {
    const t1 = makeTask({ status: 'queued', leaseOwner: 'a', leaseExpiresAt: 1_700_000_030_000 });
    const t2 = makeTask({ status: 'queued', leaseOwner: 'b', leaseExpiresAt: 1_700_000_030_000 });
    const t3 = makeTask({ status: 'completed', dueAt: null });
    await fixture.storage.add([t1, t2, t3]);
    const at = 1_700_000_002_000;
    const result = await fixture.storage.transition([
      {
        id: t1.id,
        from: ['queued'],
        owner: 'a',
        to: 'completed',
        at,
        patch: { executionTimeMs: 4.25, lastExecutionAt: at, leaseOwner: null, leaseExpiresAt: null, dueAt: null, error: null },
        audit: { error: null },
        runAudit: { at, status: 'completed', executionTimeMs: 4.25, error: null },
        logs: [makeLog(t1.id, 0), makeLog(t1.id, 1)],
      },
      { id: t2.id, from: ['queued'], owner: 'a', to: 'completed', at, audit: { error: null }, logs: [makeLog(t2.id, 0)] },
      { id: t3.id, from: ['queued', 'in-progress'], to: 'cancelled', at, audit: { error: null } },
      { id: uuidv7(), from: ['queued'], to: 'completed', at },
    ]);
    expect(result).toEqual([true, false, false, false]);
    const stored = await fixture.storage.get(t1.id);
    expect(stored).toMatchObject({
      status: 'completed',
      updatedAt: at,
      executionTimeMs: 4.25,
      lastExecutionAt: at,
      leaseOwner: null,
      leaseExpiresAt: null,
      dueAt: null,
      payload: t1.payload,
      attempts: 0,
    });
    expect(await fixture.storage.getStatusAudit(t1.id)).toEqual([{ taskId: t1.id, status: 'completed', at, error: null, actor: null }]);
    expect(await fixture.storage.getRunAudit(t1.id)).toEqual([
      { taskId: t1.id, at, status: 'completed', executionTimeMs: 4.25, error: null },
    ]);
    expect((await fixture.storage.getExecutionLogs(t1.id)).map((l) => l.sequence)).toEqual([0, 1]);
    // Not applied: nothing of its history is written.
    expect(await fixture.storage.get(t2.id)).toEqual(t2);
    expect(await fixture.storage.getStatusAudit(t2.id)).toEqual([]);
    expect(await countExecutionLogs(fixture.storage, t2.id)).toBe(0);
    expect((await fixture.storage.get(t3.id))?.status).toBe('completed');
  });

  it('applies several changes of one task in a batch in order', async () => {
    const t = makeTask({ status: 'queued', leaseOwner: 'a', leaseExpiresAt: 1_700_000_030_000 });
    await fixture.storage.add([t]);
    const result = await fixture.storage.transition([
      { id: t.id, from: ['queued'], owner: 'a', to: 'in-progress', at: 1, patch: { attempts: 1 }, audit: { error: null } },
      { id: t.id, from: ['in-progress'], owner: 'a', to: 'completed', at: 2, audit: { error: null } },
      { id: t.id, from: ['in-progress'], to: 'failed', at: 3, audit: { error: 'late' } },
    ]);
    expect(result).toEqual([true, true, false]);
    expect(await fixture.storage.get(t.id)).toMatchObject({ status: 'completed', attempts: 1, updatedAt: 2 });
    expect((await fixture.storage.getStatusAudit(t.id)).map((a) => a.status)).toEqual(['in-progress', 'completed']);
  });

  it('records a status change whose error text holds a lone surrogate or a NUL (replaced by U+FFFD) instead of failing it', async () => {
    const task = makeTask({ status: 'queued', leaseOwner: 'me', leaseExpiresAt: 2_000_000_000_000 });
    await fixture.storage.add([task]);
    const applied = await fixture.storage.transition([
      {
        id: task.id, from: ['queued'], owner: 'me', to: 'failed', at: task.createdAt + 1,
        patch: { error: 'bad \ud800 text \u0000 here', leaseOwner: null, leaseExpiresAt: null }, audit: { error: 'bad \udc00' },
      },
    ]);
    expect(applied).toEqual([true]);
    expect((await fixture.storage.get(task.id))?.error).toBe('bad \ufffd text \ufffd here');
    expect((await fixture.storage.getStatusAudit(task.id)).at(-1)?.error).toBe('bad \ufffd');
  });
});
