/**
 * The engine on Redis across real processes: three child processes run an EverTask on one key
 * prefix; one is killed with SIGKILL mid-run and the others take its tasks over when its leases
 * lapse. Wake-ups come from pub/sub (the add script publishes), not from a sweep.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { RedisStorage } from '../src/index.js';
import { REDIS_URL, adminClient, deletePrefix, describeWithRedis, makeStorage, makeTask, testPrefix } from './redis-test-helpers.js';

const describeRedis = await describeWithRedis();
const here = dirname(fileURLToPath(import.meta.url));
const workerScript = join(here, 'fixtures', 'engine-worker.ts');
const repoRoot = resolve(here, '..', '..', '..');

const LEASE_MS = 2000;
const TASKS = 5000;

interface Worker {
  id: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
}

function startWorker(prefix: string, id: string): Promise<Worker> {
  const config = { url: REDIS_URL, prefix, instanceId: id, concurrency: 8, lease: `${LEASE_MS}ms`, heartbeat: '400ms', sleepMs: 15 };
  const child = spawn(process.execPath, ['--conditions=evertask-source', '--import', 'tsx', workerScript, JSON.stringify(config)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolvePromise, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready\n')) resolvePromise({ id, child, exited, stderr: () => err });
    });
    void exited.then((code) => reject(new Error(`worker ${id} exited with ${code} before it was ready: ${err}`)));
  });
}

interface Execution {
  n: number;
  taskId: string;
  pid: number;
  start: number;
  end: number | null;
}

/** The execution lines the workers appended, joined by execution number. */
async function executions(admin: Redis, prefix: string): Promise<Execution[]> {
  const lines = await admin.lrange(`{${prefix}}:test-executions`, 0, -1);
  const byNumber = new Map<number, Execution>();
  for (const line of lines) {
    const parts = line.split(' ');
    if (parts[0] === 'start') byNumber.set(Number(parts[1]), { n: Number(parts[1]), taskId: parts[2] as string, pid: Number(parts[3]), start: Number(parts[4]), end: null });
  }
  for (const line of lines) {
    const parts = line.split(' ');
    const execution = byNumber.get(Number(parts[1]));
    if (parts[0] === 'end' && execution !== undefined) execution.end = Number(parts[2]);
  }
  return [...byNumber.values()];
}

describeRedis('EverTask on Redis in several processes', () => {
  const prefix = testPrefix('multi-process');
  const workers: Worker[] = [];
  const admin = adminClient();
  let seed: RedisStorage | undefined;

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await seed?.close();
    admin.disconnect();
    await deletePrefix(prefix);
  });

  it(`three worker processes run ${TASKS} tasks, each once at a time; a SIGKILLed worker's tasks are taken over within twice the lease`, async () => {
    await admin.connect();
    seed = makeStorage({ prefix });
    await seed.open();
    workers.push(...(await Promise.all(['w0', 'w1', 'w2'].map((id) => startWorker(prefix, id)))));

    const now = Date.now();
    const tasks = Array.from({ length: TASKS }, (_, i) =>
      makeTask({ name: 'record', payload: JSON.stringify({ i }), createdAt: now, dueAt: now, auditLevel: 'none' }),
    );
    await seed.add(tasks);

    // each worker registered in the instance registry at start
    const registered = await seed.instances.list();
    expect(registered.map((i) => i.id)).toEqual(expect.arrayContaining(['w0', 'w1', 'w2']));
    expect(registered.every((i) => i.expiresAt > Date.now() && i.pid > 0)).toBe(true);

    const ended = async () => (await executions(admin, prefix)).filter((e) => e.end !== null).length;
    // every worker is running tasks before one dies
    while ((await ended()) < 1000) await new Promise((r) => setTimeout(r, 20));
    const victim = workers[0] as Worker;
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    await victim.exited;
    const leased = await seed.query({ statuses: ['queued', 'in-progress'] }, { limit: TASKS });
    const orphans = leased.items.filter((t) => t.leaseOwner === 'w0').map((t) => t.id);
    expect(orphans.length).toBeGreaterThan(0);

    const completed = async () => (await seed!.count({ statuses: ['completed'] })).reduce((sum, cell) => sum + cell.count, 0);
    const deadline = Date.now() + 40_000;
    while ((await completed()) < TASKS) {
      if (Date.now() > deadline) throw new Error(`only ${await completed()} of ${TASKS} completed; stderr: ${workers.map((w) => w.stderr()).join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }

    const rows = (await executions(admin, prefix)).sort((a, b) => a.taskId.localeCompare(b.taskId) || a.start - b.start || a.n - b.n);
    const byTask = new Map<string, Execution[]>();
    for (const r of rows) byTask.set(r.taskId, [...(byTask.get(r.taskId) ?? []), r]);

    // every task ran to its end at least once
    expect(byTask.size).toBe(TASKS);
    for (const t of tasks) expect(byTask.get(t.id)?.some((r) => r.end !== null), `task ${t.id} finished`).toBe(true);
    // no task ran in two places at once: an execution ends (or its process dies) before the next starts
    const victimPid = victim.child.pid as number;
    let reruns = 0;
    for (const [taskId, runs] of byTask) {
      for (let i = 1; i < runs.length; i++) {
        const prev = runs[i - 1] as Execution;
        const next = runs[i] as Execution;
        const prevEnd = prev.end ?? (prev.pid === victimPid ? killedAt : Number.POSITIVE_INFINITY);
        expect(prevEnd, `executions of ${taskId} overlap`).toBeLessThanOrEqual(next.start);
        // a task runs again only when its first run was the killed process's (the in-flight window)
        expect(prev.pid, `task ${taskId} ran twice outside the killed worker's in-flight window`).toBe(victimPid);
        reruns++;
      }
      // only the killed process leaves unfinished executions
      for (const r of runs) if (r.end === null) expect(r.pid).toBe(victimPid);
    }
    // the victim's tasks were finished by the others within twice the lease (an orphan the victim
    // had finished may have completed: its write, sent just before the kill, landed after the orphan query)
    const finishedBySurvivors = new Map<string, number>();
    for (const r of rows) if (r.pid !== victimPid && r.end !== null) finishedBySurvivors.set(r.taskId, Math.max(finishedBySurvivors.get(r.taskId) ?? 0, r.end));
    const finishedByVictim = new Set(rows.filter((r) => r.pid === victimPid && r.end !== null).map((r) => r.taskId));
    const takenOver = orphans.filter((id) => finishedBySurvivors.has(id) || !finishedByVictim.has(id));
    const lateness = takenOver.map((id) => (finishedBySurvivors.get(id) ?? Number.POSITIVE_INFINITY) - killedAt);
    expect(Math.max(...lateness)).toBeLessThanOrEqual(2 * LEASE_MS);
    console.info(
      `orphans: ${orphans.length}, taken over after ${Math.round(Math.min(...lateness))}–${Math.round(Math.max(...lateness))} ms; re-runs: ${reruns}; ` +
        `executions by survivors: ${rows.filter((r) => r.pid !== victimPid).length}`,
    );

    // the registry shows the killed worker as expired, the others live
    const byId = new Map((await seed.instances.list()).map((i) => [i.id, i]));
    expect(byId.get('w0')?.expiresAt).toBeLessThanOrEqual(killedAt + LEASE_MS);
    expect(byId.get('w0')?.expiresAt).toBeLessThan(Date.now());
    for (const id of ['w1', 'w2']) expect(byId.get(id)?.expiresAt, id).toBeGreaterThan(Date.now());

    // the survivors stop gracefully and remove their records; the dead one's stays until it ages out
    for (const w of workers.slice(1)) w.child.kill('SIGTERM');
    expect(await Promise.all(workers.slice(1).map((w) => w.exited))).toEqual([0, 0]);
    expect((await seed.instances.list()).map((i) => i.id)).toEqual(['w0']);
  }, 90_000);
});
