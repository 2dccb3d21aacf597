/**
 * Throughput of the hot paths on a temporary file. Not a test (timings are never asserted); run:
 *   node --conditions=evertask-source --import tsx bench/storage/sqlite-throughput.ts [normal|full]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newStoredTask, uuidv7, type StoredTask, type TaskTransition } from 'evertask';
import { SqliteStorage } from '@evertask/sqlite';

/** A due one-off task as the engine stores it; `overrides` replace fields. */
function makeTask(overrides: Partial<StoredTask> & { createdAt: number }): StoredTask {
  return newStoredTask({ id: uuidv7(overrides.createdAt), name: 'send-email', payload: '{"to":"a@b.c"}', ...overrides });
}

const synchronous = process.argv[2] === 'full' ? 'full' : 'normal';
const N = 20_000;
const dir = mkdtempSync(join(tmpdir(), 'evertask-sqlite-perf-'));

function rate(label: string, count: number, started: number): void {
  const ms = performance.now() - started;
  console.log(`${label.padEnd(58)} ${String(Math.round((count / ms) * 1000)).padStart(8)} /s  (${ms.toFixed(0)} ms)`);
}

async function time<T>(label: string, count: number, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  rate(label, count, started);
  return result;
}

try {
  const storage = new SqliteStorage({ filename: join(dir, 'perf.db'), synchronous });
  await storage.open();
  console.log(`synchronous=${synchronous}, ${N} tasks`);
  const now = Date.now();
  const tasks = Array.from({ length: N }, (_, i) => makeTask({ createdAt: now - N + i, dueAt: now - 1 }));

  await time('add, batches of 500 (with audit row)', N, async () => {
    for (let i = 0; i < N; i += 500) await storage.add(tasks.slice(i, i + 500), { audit: true });
  });
  const singles = Array.from({ length: 2000 }, () => makeTask({ createdAt: now, dueAt: now + 3_600_000 }));
  await time('add, one task per call (with audit row)', singles.length, async () => {
    for (const t of singles) await storage.add([t], { audit: true });
  });

  const claimed = await time('claimDue, batches of 100', N, async () => {
    const all = [];
    for (;;) {
      const got = await storage.claimDue({ owner: 'bench', now, limit: 100, leaseMs: 60_000 });
      if (got.length === 0) break;
      all.push(...got);
    }
    return all;
  });
  if (claimed.length !== N) throw new Error(`claimed ${claimed.length}`);

  const toInProgress = (id: string): TaskTransition => ({
    id,
    from: ['queued'],
    owner: 'bench',
    to: 'in-progress',
    at: now + 1,
    patch: { attempts: 1 },
    audit: { error: null },
  });
  const toCompleted = (id: string): TaskTransition => ({
    id,
    from: ['in-progress'],
    owner: 'bench',
    to: 'completed',
    at: now + 2,
    patch: { leaseOwner: null, leaseExpiresAt: null, dueAt: null, executionTimeMs: 1, lastExecutionAt: now + 2 },
    audit: { error: null },
  });
  const half = N / 2;
  await time('transition, batches of 500 (status + audit row)', N, async () => {
    for (let i = 0; i < half; i += 500) {
      const ids = claimed.slice(i, i + 500).map((t) => t.id);
      await storage.transition(ids.map(toInProgress));
      await storage.transition(ids.map(toCompleted));
    }
  });
  await time('transition, one per call (status + audit row)', 4000, async () => {
    for (const t of claimed.slice(half, half + 2000)) {
      await storage.transition([toInProgress(t.id)]);
      await storage.transition([toCompleted(t.id)]);
    }
  });

  const Q = 200;
  await time('query: statuses filter, page of 50 + total', Q, async () => {
    for (let i = 0; i < Q; i++) await storage.query({ statuses: ['completed'] }, { limit: 50, offset: i * 50 });
  });
  await time('count grid (whole table)', Q, async () => {
    for (let i = 0; i < Q; i++) await storage.count();
  });
  await time('nextDueAt', 5000, async () => {
    for (let i = 0; i < 5000; i++) await storage.nextDueAt();
  });
  await time('claimDue when nothing is due (index probe)', 5000, async () => {
    for (let i = 0; i < 5000; i++) await storage.claimDue({ owner: 'x', now: now - 10_000_000, limit: 100, leaseMs: 1000 });
  });
  await storage.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
