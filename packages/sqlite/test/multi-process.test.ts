import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { LATEST_SCHEMA_VERSION, SqliteStorage } from '../src/index.js';
import { makeTask, spawnFixture, tempDir } from './helpers.js';
import { readExecutions } from './fixtures/recording-tasks.js';

const here = dirname(fileURLToPath(import.meta.url));
const worker = join(here, 'fixtures', 'claim-worker.ts');
const repoRoot = resolve(here, '..', '..', '..');

/** Runs the worker in a real child process (TypeScript through tsx, workspace sources through the condition). */
function runWorker(args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--conditions=evertask-source', '--import', 'tsx', worker, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolvePromise(out);
      else reject(new Error(`worker ${args.join(' ')} exited with ${code}: ${err}`));
    });
  });
}

describe('SqliteStorage shared by several processes', () => {
  let tmp: ReturnType<typeof tempDir>;

  beforeEach(() => {
    tmp = tempDir();
  });

  afterEach(() => {
    tmp.cleanup();
  });

  it('three processes claiming from one file take every one of 3,000 due tasks exactly once', async () => {
    const file = tmp.file();
    const seed = new SqliteStorage({ filename: file });
    await seed.open();
    const due = Date.now() - 1000;
    const tasks = Array.from({ length: 3000 }, (_, i) => makeTask({ createdAt: due - 3000 + i, dueAt: due - (i % 97) }));
    for (let i = 0; i < tasks.length; i += 500) await seed.add(tasks.slice(i, i + 500));
    await seed.close();

    const startAt = String(Date.now() + 2500);
    const outputs = await Promise.all(['p1', 'p2', 'p3'].map((owner) => runWorker([file, owner, startAt, 'claim'])));
    const results = outputs.map((o) => JSON.parse(o) as { owner: string; batches: number; claimed: string[] });
    const all = results.flatMap((r) => r.claimed);
    expect(all).toHaveLength(3000);
    expect(new Set(all).size).toBe(3000);
    expect(new Set(all)).toEqual(new Set(tasks.map((t) => t.id)));

    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare(`SELECT status, COUNT(*) AS n FROM evertask_tasks GROUP BY status`).all()).toEqual([
        { status: 'completed', n: 3000 },
      ]);
      expect(db.prepare(`SELECT COUNT(*) AS n FROM evertask_status_audit`).get()).toEqual({ n: 3000 });
    } finally {
      db.close();
    }
    // Each process got a share (not asserted: the OS may schedule one process first).
    console.info(`claims per process: ${results.map((r) => `${r.owner}=${r.claimed.length} in ${r.batches} batches`).join(', ')}`);
  }, 60_000);

  it('three processes running an EverTask each (concurrency 4) on one file run each of 2,000 tasks exactly once', async () => {
    const file = tmp.file();
    const log = join(tmp.dir, 'executions.log');
    const seed = new SqliteStorage({ filename: file });
    await seed.open();
    const now = Date.now();
    const tasks = Array.from({ length: 2000 }, (_, i) => makeTask({ name: 'job', payload: JSON.stringify({ i }), createdAt: now - 2000 + i, dueAt: now }));
    for (let i = 0; i < tasks.length; i += 1000) await seed.add(tasks.slice(i, i + 1000), { audit: true });
    await seed.close();

    const startAt = Date.now() + 2500;
    const workers = [1, 2, 3].map(() =>
      spawnFixture('engine-worker.ts', [JSON.stringify({ mode: 'drain', file, log, concurrency: 4, workMs: 2, startAt })]),
    );
    try {
      const done = await Promise.all(workers.map((w) => w.nextJson<{ done: true; pid: number }>()));
      const exits = await Promise.all(workers.map((w) => w.exited));
      expect(exits.map((e) => e.code)).toEqual([0, 0, 0]);

      const runs = readExecutions(log).filter((e) => e.kind === 'job');
      expect(runs).toHaveLength(2000);
      expect(new Set(runs.map((e) => e.id))).toEqual(new Set(tasks.map((t) => t.id)));
      const db = new Database(file, { readonly: true });
      try {
        expect(db.prepare(`SELECT status, attempts, COUNT(*) AS n FROM evertask_tasks GROUP BY status, attempts`).all()).toEqual([
          { status: 'completed', attempts: 1, n: 2000 },
        ]);
        // waiting (dispatch), in-progress, completed: one of each per task
        expect(db.prepare(`SELECT status, COUNT(*) AS n FROM evertask_status_audit GROUP BY status ORDER BY status`).all()).toEqual([
          { status: 'completed', n: 2000 },
          { status: 'in-progress', n: 2000 },
          { status: 'waiting', n: 2000 },
        ]);
      } finally {
        db.close();
      }
      const perPid = new Map<number, number>();
      for (const e of runs) perPid.set(e.pid, (perPid.get(e.pid) ?? 0) + 1);
      console.info(`tasks per process: ${done.map((d) => `${d.pid}=${perPid.get(d.pid) ?? 0}`).join(', ')}`);
    } finally {
      for (const w of workers) w.child.kill('SIGKILL');
    }
  }, 60_000);

  it('four processes opening a fresh file at the same moment migrate it exactly once', async () => {
    const file = tmp.file('fresh.db');
    const startAt = String(Date.now() + 2000);
    const outputs = await Promise.all(['a', 'b', 'c', 'd'].map((owner) => runWorker([file, owner, startAt, 'open'])));
    expect(outputs.map((o) => JSON.parse(o) as unknown)).toEqual(Array(4).fill({ opened: true }));
    const db = new Database(file, { readonly: true });
    try {
      const rows = db.prepare(`SELECT version FROM evertask_migrations ORDER BY version`).all();
      expect(rows).toEqual(Array.from({ length: LATEST_SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })));
    } finally {
      db.close();
    }
  }, 60_000);
});
