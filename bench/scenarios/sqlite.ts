/**
 * EverTask on SQLite (`@evertask/sqlite`, a temporary file, WAL, synchronous=normal). Headline rows
 * use what users write, `async` no-op handlers and one `dispatch()` per task:
 * - dispatch + drain: 20,000 single `dispatch()` calls from 1,000 concurrent callers on a running
 *   engine, timed until all are completed (concurrency 16), audit `none` and `full`;
 * - drain: 20,000 no-op tasks already stored (inserted through the storage), then the engine is
 *   started and timed until every task is completed, audit `none` and `full`;
 * extra rows: the same drains with synchronous handlers, `dispatchMany` (chunks of 1,000) + drain,
 * and the storing path alone (tasks delayed by an hour): single `dispatch` calls from 16
 * concurrent producers, and `dispatchMany` of 20,000 in chunks of 1,000.
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
const IN_FLIGHT = 1000;
const LIBRARY = 'evertask (SqliteStorage)';

type Handler = 'async' | 'sync';
const noopTasks = {
  async: defineTask({ name: 'noop', handler: async (_p: { i: number }) => {} }),
  sync: defineTask({ name: 'noop', handler: (_p: { i: number }) => {} }),
};
const noop = noopTasks.sync;

async function withFile<T>(work: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'evertask-bench-sqlite-'));
  try {
    return await work(join(dir, 'bench.db'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function engineOn(storage: SqliteStorage, auditLevel: AuditLevel, handler: Handler = 'sync'): EverTask {
  return new EverTask({ storage, tasks: [noopTasks[handler]], logger: silentLogger, queues: { default: { concurrency: CONCURRENCY } }, defaults: { auditLevel } });
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
async function drainStored(auditLevel: AuditLevel, handler: Handler): Promise<number> {
  return withFile(async (file) => {
    const storage = new SqliteStorage({ filename: file });
    await storage.open();
    const now = Date.now();
    const records = Array.from({ length: COUNT }, (_, i) =>
      makeStoredTask({ name: 'noop', payload: JSON.stringify({ i }), auditLevel, createdAt: now - COUNT + i, dueAt: now }),
    );
    for (let i = 0; i < COUNT; i += CHUNK) await storage.add(records.slice(i, i + CHUNK), { audit: auditLevel === 'full' });
    const engine = engineOn(storage, auditLevel, handler);
    const finished = completions(engine, COUNT);
    const started = performance.now();
    await engine.start();
    await finished;
    const seconds = (performance.now() - started) / 1000;
    await engine.stop({ closeStorage: true });
    return COUNT / seconds;
  });
}

/**
 * On a running engine, timed until the last completion: one `dispatch()` per task from
 * `IN_FLIGHT` concurrent callers (`single`), or `dispatchMany` by 1,000 (`many`).
 */
async function dispatchAndDrain(auditLevel: AuditLevel, handler: Handler, how: 'single' | 'many'): Promise<number> {
  return withFile(async (file) => {
    const engine = engineOn(new SqliteStorage({ filename: file }), auditLevel, handler);
    const task = noopTasks[handler];
    await engine.start();
    const finished = completions(engine, COUNT);
    const started = performance.now();
    if (how === 'single') {
      let next = 0;
      const caller = async () => {
        while (next < COUNT) await engine.dispatch(task, { i: next++ });
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, caller));
    } else {
      for (let i = 0; i < COUNT; i += CHUNK) {
        await engine.dispatchMany(task, Array.from({ length: CHUNK }, (_, j) => ({ i: i + j })));
      }
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
  const add = (scenario: string, m: { value: number; runs: number[] }) =>
    report.add({ scenario: `sqlite: ${scenario}`, library: LIBRARY, metric: 'throughput', unit: 'tasks/s', ...m });
  for (const audit of ['none', 'full'] as const) {
    add(`async handler, dispatch() × ${IN_FLIGHT.toLocaleString('en-US')} in flight + drain 20k (audit ${audit})`, await measure(runs, () => dispatchAndDrain(audit, 'async', 'single')));
  }
  for (const handler of ['async', 'sync'] as const) {
    for (const audit of ['none', 'full'] as const) {
      add(`${handler} handler, drain 20k stored (audit ${audit})`, await measure(runs, () => drainStored(audit, handler)));
    }
  }
  for (const audit of ['none', 'full'] as const) {
    add(`sync handler, dispatchMany+drain 20k (audit ${audit})`, await measure(runs, () => dispatchAndDrain(audit, 'sync', 'many')));
  }
  const single = await measure(runs, () => dispatchOnly('single'));
  report.add({ scenario: 'sqlite: dispatch, 16 producers (audit full)', library: LIBRARY, metric: 'throughput', unit: 'tasks/s', ...single });
  const bulk = await measure(runs, () => dispatchOnly('bulk'));
  report.add({ scenario: 'sqlite: dispatchMany 20k by 1,000 (audit full)', library: LIBRARY, metric: 'throughput', unit: 'tasks/s', ...bulk });
}
