import { expect } from 'vitest';
import { T, task, log } from './fixtures.js';
import { countExecutionLogs } from '../../storage/derived-reads.js';
import type { Register } from './fixtures.js';

// ---- cleanup -----------------------------------------------------------------------------------

export function registerCleanupTests(test: Register): void {
  test('cleanup deletes old finished one-off tasks with their history', async (s) => {
    const old = { updatedAt: T + 10 };
    const gone = [
      task({ status: 'completed', taskKey: 'old-done', ...old }),
      task({ status: 'failed', ...old }),
      task({ status: 'cancelled', ...old }),
    ];
    const kept = [
      task({ status: 'completed', updatedAt: T + 100 }),
      task({ status: 'failed', updatedAt: T + 100 }),
      task({ status: 'completed', recurring: '{"every":"1h"}', ...old }),
      task({ status: 'failed', recurring: '{"every":"1h"}', dueAt: null, ...old }),
      task({ status: 'waiting', ...old }),
      task({ status: 'in-progress', leaseOwner: 'w', leaseExpiresAt: T + 20, ...old }),
      task({ status: 'service-stopped', ...old }),
    ];
    await s.add([...gone, ...kept], { audit: true });
    for (const t of [...gone, ...kept]) await s.saveExecutionLogs(t.id, [log(t.id, T + 5, 0)]);
    const result = await s.cleanup({ completedBefore: T + 100, failedBefore: T + 100 });
    expect(result.tasks).toBe(3);
    for (const t of gone) {
      expect(await s.get(t.id)).toBeUndefined();
      expect(await s.getStatusAudit(t.id)).toEqual([]);
      expect(await countExecutionLogs(s, t.id)).toBe(0);
    }
    expect(await s.getByTaskKey('old-done')).toBeUndefined();
    for (const t of kept) {
      expect(await s.get(t.id)).toEqual(t);
      expect(await s.getStatusAudit(t.id)).toHaveLength(1);
      expect(await countExecutionLogs(s, t.id)).toBe(1);
    }
  });

  test('cleanup applies the completed and failed cutoffs separately', async (s) => {
    const completed = task({ status: 'completed', updatedAt: T + 10 });
    const failed = task({ status: 'failed', updatedAt: T + 10 });
    const cancelled = task({ status: 'cancelled', updatedAt: T + 10 });
    await s.add([completed, failed, cancelled]);
    expect((await s.cleanup({ completedBefore: T + 11 })).tasks).toBe(1);
    expect(await s.get(completed.id)).toBeUndefined();
    expect(await s.get(failed.id)).toBeDefined();
    expect((await s.cleanup({ failedBefore: T + 10 })).tasks).toBe(0);
    expect((await s.cleanup({ failedBefore: T + 11 })).tasks).toBe(2);
    expect((await s.query({})).total).toBe(0);
  });

  test('cleanup deletes audit rows and logs older than the cutoffs', async (s) => {
    const w = task();
    const r = task({ recurring: '{"every":"1m"}' });
    await s.add([w, r]);
    for (const at of [T + 10, T + 20, T + 30]) {
      await s.transition([{ id: w.id, from: ['waiting'], to: 'waiting', at, audit: { error: null } }]);
    }
    for (const at of [T + 15, T + 25]) {
      await s.transition([
        { id: r.id, from: ['waiting'], to: 'waiting', at, runAudit: { at, status: 'completed', executionTimeMs: 1, error: null } },
      ]);
    }
    await s.saveExecutionLogs(w.id, [log(w.id, T + 5, 0), log(w.id, T + 30, 0), log(w.id, T + 35, 0)]);
    const result = await s.cleanup({ auditBefore: T + 20, logsBefore: T + 30 });
    expect(result).toEqual({ tasks: 0, audits: 2, logs: 1 });
    expect((await s.getStatusAudit(w.id)).map((a) => a.at)).toEqual([T + 20, T + 30]);
    expect((await s.getRunAudit(r.id)).map((a) => a.at)).toEqual([T + 25]);
    expect((await s.getExecutionLogs(w.id)).map((l) => l.at)).toEqual([T + 30, T + 35]);
    expect(await s.get(w.id)).toBeDefined();
    expect(await s.get(r.id)).toBeDefined();
  });

  test('cleanup with an empty policy deletes nothing', async (s) => {
    const t = task({ status: 'completed', updatedAt: T });
    await s.add([t], { audit: true });
    await s.saveExecutionLogs(t.id, [log(t.id, T, 0)]);
    expect(await s.cleanup({})).toEqual({ tasks: 0, audits: 0, logs: 0 });
    expect(await s.get(t.id)).toEqual(t);
    expect(await s.getStatusAudit(t.id)).toHaveLength(1);
    expect(await countExecutionLogs(s, t.id)).toBe(1);
  });
}
