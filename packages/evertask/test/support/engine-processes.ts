/**
 * The engine across real processes, the same test for every storage that other processes can
 * share: three child processes (`engine-worker.ts`) run an EverTask on one storage; one is killed
 * with SIGKILL mid-run and the others take its tasks over. An adapter's test calls
 * `testEngineProcesses` inside its describe with how to build its storage.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { InstanceRegistry, StoredTask, TaskStorage } from 'evertask';
import { makeStoredTask } from 'evertask/testing';
import type { EngineWorkerConfig } from './engine-worker.js';
import { readExecutions } from './execution-ledger.js';
import { startWorker, type Worker } from './worker-process.js';

export { startWorker, type Worker } from './worker-process.js';

const LEASE_MS = 2000;
const TASKS = 5000;

export interface EngineProcessesOptions<S> {
  /** The adapter's worker: builds its storage from `readWorkerConfig().storage` and calls `runEngineWorker`. */
  workerScript: string;
  /** What the worker needs to build its storage (passed as JSON). */
  storage: S;
  /** A storage on the same tables for the test's own writes and reads (not opened yet). */
  seedStorage: () => TaskStorage;
  /** The workers' sweep interval, for a storage without wake-ups between processes. */
  sweepInterval?: string;
}

/** The non-terminal tasks leased to `owner`, read page by page in (createdAt, id) order. */
async function leasedTo(storage: TaskStorage, owner: string): Promise<string[]> {
  const ids: string[] = [];
  let after: { createdAt: number; id: string } | undefined;
  for (;;) {
    const page = await storage.pending(after, 500);
    for (const t of page) if (t.leaseOwner === owner && (t.status === 'queued' || t.status === 'in-progress')) ids.push(t.id);
    const last = page.at(-1);
    if (page.length < 500 || last === undefined) return ids;
    after = { createdAt: last.createdAt, id: last.id };
  }
}

async function countCompleted(storage: TaskStorage): Promise<number> {
  return (await storage.count({ statuses: ['completed'] })).reduce((sum, cell) => sum + cell.count, 0);
}

/** The worker processes, ledger folder and seed storage of one test, cleaned up after the describe. */
export interface WorkerFleet {
  readonly workers: Worker[];
  readonly ledgerDir: string;
  /** Opens the test's own storage (closed after the describe). */
  openSeed(storage: TaskStorage): Promise<TaskStorage>;
}

/** Registers, in the caller's describe, the cleanup of a fleet: SIGKILL what still runs, close the seed, remove the ledger. */
export function useWorkerFleet(label: string): WorkerFleet {
  const workers: Worker[] = [];
  const ledgerDir = mkdtempSync(join(tmpdir(), label));
  let seed: TaskStorage | undefined;
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await seed?.close();
    rmSync(ledgerDir, { recursive: true, force: true });
  });
  return {
    workers,
    ledgerDir,
    openSeed: async (storage) => {
      seed = storage;
      await storage.open();
      return storage;
    },
  };
}

/** Registers the test (and its cleanup) in the caller's describe. */
export function testEngineProcesses<S>(options: EngineProcessesOptions<S>): void {
  const { workers, ledgerDir, openSeed } = useWorkerFleet('evertask-executions-');

  it(`three worker processes run ${TASKS} tasks, each once at a time; a SIGKILLed worker's tasks are taken over within twice the lease`, async () => {
    const storage = await openSeed(options.seedStorage());
    const registry = storage.instances as InstanceRegistry;
    const config = (instanceId: string): EngineWorkerConfig<S> => ({
      instanceId,
      concurrency: 8,
      lease: `${LEASE_MS}ms`,
      heartbeat: '400ms',
      ...(options.sweepInterval === undefined ? {} : { sweepInterval: options.sweepInterval }),
      sleepMs: 15,
      ledgerDir,
      storage: options.storage,
    });
    workers.push(...(await Promise.all(['w0', 'w1', 'w2'].map((id) => startWorker(options.workerScript, config(id))))));

    const now = Date.now();
    const tasks: StoredTask[] = Array.from({ length: TASKS }, (_, i) =>
      makeStoredTask({ name: 'record', payload: JSON.stringify({ i }), createdAt: now, dueAt: now, auditLevel: 'none' }),
    );
    await storage.add(tasks);

    // each worker registered in the instance registry at start
    const registered = await registry.list();
    expect(registered.map((i) => i.id)).toEqual(expect.arrayContaining(['w0', 'w1', 'w2']));
    expect(registered.every((i) => i.expiresAt > Date.now() && i.pid > 0)).toBe(true);

    // every worker is running tasks before one dies
    while (readExecutions(ledgerDir).filter((e) => e.end !== null).length < 1000) await new Promise((r) => setTimeout(r, 20));
    const victim = workers[0] as Worker;
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    await victim.exited;
    const orphans = await leasedTo(storage, 'w0');
    expect(orphans.length).toBeGreaterThan(0);

    const deadline = Date.now() + 40_000;
    while ((await countCompleted(storage)) < TASKS) {
      if (Date.now() > deadline) throw new Error(`only ${await countCompleted(storage)} of ${TASKS} completed; stderr: ${workers.map((w) => w.stderr()).join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }

    const rows = readExecutions(ledgerDir);
    const byTask = new Map<string, typeof rows>();
    for (const r of rows) byTask.set(r.taskId, [...(byTask.get(r.taskId) ?? []), r]);

    // every task ran to its end at least once
    expect(byTask.size).toBe(TASKS);
    for (const t of tasks) expect(byTask.get(t.id)?.some((r) => r.end !== null), `task ${t.id} finished`).toBe(true);
    // no task ran in two places at once: an execution ends (or its process dies) before the next starts
    const victimPid = victim.child.pid as number;
    let reruns = 0;
    for (const [taskId, runs] of byTask) {
      for (let i = 1; i < runs.length; i++) {
        const prev = runs[i - 1] as (typeof runs)[number];
        const next = runs[i] as (typeof runs)[number];
        const prevEnd = prev.end ?? (prev.pid === victimPid ? killedAt : Number.POSITIVE_INFINITY);
        expect(prevEnd, `executions of ${taskId} overlap`).toBeLessThanOrEqual(next.start);
        // a task runs again only when its first run was the killed process's (the in-flight window)
        expect(prev.pid, `task ${taskId} ran twice outside the killed worker's in-flight window`).toBe(victimPid);
        reruns++;
      }
      // only the killed process leaves unfinished executions
      for (const r of runs) if (r.end === null) expect(r.pid).toBe(victimPid);
    }
    // the victim's tasks were finished by the others within twice the lease
    const finishedBySurvivors = new Map<string, number>();
    for (const r of rows) if (r.pid !== victimPid && r.end !== null) finishedBySurvivors.set(r.taskId, Math.max(finishedBySurvivors.get(r.taskId) ?? 0, r.end));
    // An orphan the victim had finished may still have completed: its completion, sent just before
    // the kill, can land after the orphan read above. Such a task needed no takeover; every other
    // one must have been finished by a survivor.
    const finishedByVictim = new Set(rows.filter((r) => r.pid === victimPid && r.end !== null).map((r) => r.taskId));
    const takenOver = orphans.filter((id) => finishedBySurvivors.has(id) || !finishedByVictim.has(id));
    const lateness = takenOver.map((id) => (finishedBySurvivors.get(id) ?? Number.POSITIVE_INFINITY) - killedAt);
    expect(Math.max(...lateness)).toBeLessThanOrEqual(2 * LEASE_MS);
    const survivorsRan = rows.filter((r) => r.pid !== victimPid).length;
    console.info(
      `orphans: ${orphans.length}, taken over after ${Math.round(Math.min(...lateness))}–${Math.round(Math.max(...lateness))} ms; re-runs: ${reruns}; executions by survivors: ${survivorsRan}`,
    );

    // the registry shows the killed worker as expired (its last heartbeat came before the kill), the others live
    const byId = new Map((await registry.list()).map((i) => [i.id, i]));
    expect(byId.get('w0')?.expiresAt).toBeLessThanOrEqual(killedAt + LEASE_MS);
    expect(byId.get('w0')?.expiresAt).toBeLessThan(Date.now());
    for (const id of ['w1', 'w2']) expect(byId.get(id)?.expiresAt, id).toBeGreaterThan(Date.now());

    // the survivors stop gracefully and remove their records; the dead one's stays until it ages out
    for (const w of workers.slice(1)) w.child.kill('SIGTERM');
    expect(await Promise.all(workers.slice(1).map((w) => w.exited))).toEqual([0, 0]);
    expect((await registry.list()).map((i) => i.id)).toEqual(['w0']);
  }, 90_000);
}
