import { expect, it } from 'vitest';
import { type StorageNotification } from 'evertask';
import { describeWithPostgres, makeTask, testPool, useStorages, waitFor } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();

describePg('PostgresStorage (several instances on one database)', () => {
  const fixture = useStorages(import.meta.url);

  it('adds inside the caller transaction: visible on commit, gone on rollback', async () => {
    const schema = fixture.fresh();
    const storage = fixture.make({ schema });
    await storage.open();
    const pool = testPool(2);
    fixture.onCleanup(() => pool.end());
    const seen: StorageNotification[] = [];
    const observer = fixture.make({ schema });
    const unsubscribe = await observer.subscribe((n) => seen.push(n));

    const rolledBack = makeTask();
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await storage.add([rolledBack], { tx: client, audit: true });
      // Not visible outside the transaction before it commits.
      expect(await storage.get(rolledBack.id)).toBeUndefined();
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await storage.get(rolledBack.id)).toBeUndefined();

    const committed = makeTask();
    const client2 = await pool.connect();
    try {
      await client2.query('BEGIN');
      await client2.query('SELECT 1');
      await storage.add([committed], { tx: client2, audit: true });
      expect(await storage.get(committed.id)).toBeUndefined();
      await client2.query('COMMIT');
    } finally {
      client2.release();
    }
    expect(await storage.get(committed.id)).toEqual(committed);
    expect(await storage.getStatusAudit(committed.id)).toHaveLength(1);
    // The NOTIFY of the rolled-back add never fired; the committed one did.
    await waitFor(() => seen.length > 0, 5000, 'notification of the committed add');
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual([{ kind: 'task-available', dueAt: committed.dueAt, taskId: committed.id }]);
    await unsubscribe();
  });

  it('never hands one task to two of four racing instances', async () => {
    const schema = fixture.fresh();
    const instances = Array.from({ length: 4 }, () => fixture.make({ schema, max: 4 }));
    await Promise.all(instances.map((s) => s.open()));
    const total = 2000;
    const now = 1_700_000_000_000;
    const tasks = Array.from({ length: total }, (_, i) => makeTask({ dueAt: now - total + i }));
    await instances[0]!.add(tasks);
    const claimedBy = new Map<string, string>();
    const duplicates: string[] = [];
    await Promise.all(
      instances.map(async (storage, index) => {
        const owner = `instance-${index}`;
        // Several concurrent claim loops per instance, like workers of one engine.
        await Promise.all(
          Array.from({ length: 3 }, async () => {
            for (;;) {
              const batch = await storage.claimDue({ owner, now, limit: 16, leaseMs: 60_000 });
              if (batch.length === 0) return;
              for (const task of batch) {
                if (claimedBy.has(task.id)) duplicates.push(task.id);
                claimedBy.set(task.id, owner);
              }
              await storage.transition(
                batch.map((task) => ({ id: task.id, from: ['queued'], owner, to: 'completed', at: now, audit: { error: null } })),
              );
            }
          }),
        );
      }),
    );
    expect(duplicates).toEqual([]);
    expect(claimedBy.size).toBe(total);
    const owners = new Set(claimedBy.values());
    expect(owners.size).toBeGreaterThan(1);
    expect(await instances[1]!.count()).toEqual([{ queue: 'default', status: 'completed', count: total }]);
    const audits = await fixture.admin.query(`SELECT count(*)::int AS n FROM "${schema}".status_audit`);
    expect(audits.rows[0].n).toBe(total);
  });

  it('takes over the tasks of a crashed instance when their lease expires', async () => {
    const schema = fixture.fresh();
    const [a, b] = [fixture.make({ schema }), fixture.make({ schema })];
    await Promise.all([a.open(), b.open()]);
    const now = 1_700_000_000_000;
    await a.add([makeTask({ dueAt: now }), makeTask({ dueAt: now })]);
    expect(await a.claimDue({ owner: 'a', now, limit: 10, leaseMs: 30_000 })).toHaveLength(2);
    expect(await b.claimDue({ owner: 'b', now: now + 29_999, limit: 10, leaseMs: 30_000 })).toHaveLength(0);
    const taken = await b.claimDue({ owner: 'b', now: now + 30_000, limit: 10, leaseMs: 30_000 });
    expect(taken.map((t) => t.leaseOwner)).toEqual(['b', 'b']);
    // The crashed owner's late completion is refused by the lease guard.
    expect(await a.transition([{ id: taken[0]!.id, from: ['queued'], owner: 'a', to: 'completed', at: now }])).toEqual([false]);
  });
});
