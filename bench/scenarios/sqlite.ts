/**
 * EverTask on SQLite (`@evertask/sqlite`, a temporary file, WAL, synchronous=normal):
 * - drain: 20,000 no-op tasks already stored (inserted through the storage), then the engine is
 *   started and timed until every task is completed (concurrency 16), audit `none` and `full`;
 * - dispatch + drain: 20,000 tasks dispatched with `dispatchMany` (chunks of 1,000) on a running
 *   engine, timed until all are completed;
 * - dispatch: single `dispatch` calls from 16 concurrent producers, and `dispatchMany` of 20,000 in
 *   chunks of 1,000 — tasks delayed by an hour, so the figure is the storing path alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineTask, EverTask, silentLogger, type AuditLevel } from 'evertask';
import { makeStoredTask } from 'evertask/testing';
import { SqliteStorage } from '@evertask/sqlite';
import { median } from '../lib/stats.js';
import type { Report } from '../lib/report.js';

const COUNT = 20_000;
const CONCURRENCY = 16;
const CHUNK = 1000;
const LIBRARY = 'evertask (SqliteStorage)';

const noop = defineTask({ name: 'noop', handler: (_p: { i: number }) => {} });

async function withFile<T>(work: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'evertask-bench-sqlite-'));
  try {
    return await work(join(dir, 'bench.db'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function engineOn(storage: SqliteStorage, auditLevel: AuditLevel): EverTask {
  return new EverTask({ storage, tasks: [noop], logger: silentLogger, queues: { default: { concurrency: CONCURRENCY } }, defaults: { auditLevel } });
}

function completions(engine: EverTask, count: number): Promise<void> {
  let done = 0;
  return new Promise<void>((resolve) => {
    engine.on('task:completed', () => {
      if (++done === count) resolve();
    });
  });
}

/** Tasks already in the file; time from start() to the last completion. */
async function drainStored(auditLevel: AuditLevel): Promise<number> {
  return withFile(async (file) => {
    const storage = new SqliteStorage({ filename: file });
    await storage.open();
    const now = Date.now();
    const records = Array.from({ length: COUNT }, (_, i) =>
      makeStoredTask({ name: 'noop', payload: JSON.stringify({ i }), auditLevel, createdAt: now - COUNT + i, dueAt: now }),
    );
    for (let i = 0; i < COUNT; i += CHUNK) await storage.add(records.slice(i, i + CHUNK), { audit: auditLevel === 'full' });
    const engine = engineOn(storage, auditLevel);
    const finished = completions(engine, COUNT);
    const started = performance.now();
    await engine.start();
    await finished;
    const seconds = (performance.now() - started) / 1000;
    await engine.stop({ closeStorage: true });
    return COUNT / seconds;
  });
}

/** dispatchMany on a running engine, timed until the last completion. */
async function dispatchAndDrain(auditLevel: AuditLevel): Promise<number> {
  return withFile(async (file) => {
    const engine = engineOn(new SqliteStorage({ filename: file }), auditLevel);
    await engine.start();
    const finished = completions(engine, COUNT);
    const started = performance.now();
    for (let i = 0; i < COUNT; i += CHUNK) {
      await engine.dispatchMany(noop, Array.from({ length: CHUNK }, (_, j) => ({ i: i + j })));
    }
    await finished;
    const seconds = (performance.now() - started) / 1000;
    await engine.stop({ closeStorage: true });
    return COUNT / seconds;
  });
}

async function dispatchOnly(how: 'single' | 'bulk'): Promise<number> {
  return withFile(async (file) => {
    const engine = engineOn(new SqliteStorage({ filename: file }), 'full');
    await engine.start();
    const started = performance.now();
    if (how === 'single') {
      const perProducer = COUNT / CONCURRENCY;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async (_, p) => {
          for (let i = 0; i < perProducer; i++) await engine.dispatch(noop, { i: p * perProducer + i }, { delay: '1h' });
        }),
      );
    } else {
      for (let i = 0; i < COUNT; i += CHUNK) {
        await engine.dispatchMany(noop, Array.from({ length: CHUNK }, (_, j) => ({ i: i + j })), { delay: '1h' });
      }
    }
    const seconds = (performance.now() - started) / 1000;
    await engine.stop({ closeStorage: true });
    return COUNT / seconds;
  });
}

async function measure(runs: number, once: () => Promise<number>): Promise<{ value: number; runs: number[] }> {
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) rates.push(await once());
  return { value: median(rates), runs: rates };
}

export async function runSqlite(report: Report, runs: number): Promise<void> {
  for (const audit of ['none', 'full'] as const) {
    const m = await measure(runs, () => drainStored(audit));
    report.add({ scenario: `sqlite: drain 20k stored (audit ${audit})`, library: LIBRARY, metric: 'throughput', unit: 'tasks/s', ...m });
  }
  for (const audit of ['none', 'full'] as const) {
    const m = await measure(runs, () => dispatchAndDrain(audit));
    report.add({ scenario: `sqlite: dispatchMany+drain 20k (audit ${audit})`, library: LIBRARY, metric: 'throughput', unit: 'tasks/s', ...m });
  }
  const single = await measure(runs, () => dispatchOnly('single'));
  report.add({ scenario: 'sqlite: dispatch, 16 producers (audit full)', library: LIBRARY, metric: 'throughput', unit: 'tasks/s', ...single });
  const bulk = await measure(runs, () => dispatchOnly('bulk'));
  report.add({ scenario: 'sqlite: dispatchMany 20k by 1,000 (audit full)', library: LIBRARY, metric: 'throughput', unit: 'tasks/s', ...bulk });
}
