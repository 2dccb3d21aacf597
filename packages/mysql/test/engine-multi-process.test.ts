/**
 * The engine on MySQL/MariaDB across real processes: three child processes run an EverTask on one
 * set of tables; one is killed with SIGKILL mid-run and the others take its tasks over. There is
 * no notification channel: the workers find the tasks another process added with their sweep.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type mysql from 'mysql2/promise';
import { afterAll, expect, it } from 'vitest';
import type { MySqlStorage } from '../src/index.js';
import { adminConnection, describeWithMySql, makeStorage, makeTask, useDatabase } from './mysql-test-helpers.js';

const describeMySql = await describeWithMySql();
const here = dirname(fileURLToPath(import.meta.url));
const workerScript = join(here, 'fixtures', 'engine-worker.ts');
const repoRoot = resolve(here, '..', '..', '..');

const LEASE_MS = 2000;
const TASKS = 5000;
const PREFIX = 'evertask_';

interface Worker {
  id: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
}

function startWorker(uri: string, id: string): Promise<Worker> {
  const config = { uri, tablePrefix: PREFIX, instanceId: id, concurrency: 8, lease: `${LEASE_MS}ms`, heartbeat: '400ms', sweepInterval: '250ms', sleepMs: 15 };
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

describeMySql('EverTask on MySQL in several processes', () => {
  const { database, uri } = useDatabase(import.meta.url);
  const workers: Worker[] = [];
  let admin: mysql.Connection | undefined;
  let seed: MySqlStorage | undefined;

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await seed?.close();
    await admin?.end();
  });

  it(`three worker processes run ${TASKS} tasks, each once at a time; a SIGKILLed worker's tasks are taken over within twice the lease`, async () => {
    admin = await adminConnection(database);
    const db = admin;
    seed = makeStorage(uri, { tablePrefix: PREFIX, connectionLimit: 2 });
    await seed.open();
    await db.query(`CREATE TABLE ${PREFIX}executions (
      id BIGINT AUTO_INCREMENT PRIMARY KEY, task_id CHAR(36) NOT NULL, pid INT NOT NULL, started_at BIGINT NOT NULL, ended_at BIGINT NULL)`);
    workers.push(...(await Promise.all(['w0', 'w1', 'w2'].map((id) => startWorker(uri, id)))));

    const now = Date.now();
    const tasks = Array.from({ length: TASKS }, (_, i) =>
      makeTask({ name: 'record', payload: JSON.stringify({ i }), createdAt: now, dueAt: now, auditLevel: 'none' }),
    );
    await seed.add(tasks);

    // each worker registered in the instance registry at start
    const registered = await seed.instances.list();
    expect(registered.map((i) => i.id)).toEqual(expect.arrayContaining(['w0', 'w1', 'w2']));
    expect(registered.every((i) => i.expiresAt > Date.now() && i.pid > 0)).toBe(true);

    const count = async (sql: string): Promise<number> => Number(((await db.query<mysql.RowDataPacket[]>(sql))[0][0] as { n: unknown }).n);
    const ended = () => count(`SELECT COUNT(*) AS n FROM ${PREFIX}executions WHERE ended_at IS NOT NULL`);
    // every worker is running tasks before one dies
    while ((await ended()) < 1000) await new Promise((r) => setTimeout(r, 20));
    const victim = workers[0] as Worker;
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    await victim.exited;
    const [orphanRows] = await db.query<mysql.RowDataPacket[]>(
      `SELECT id FROM ${PREFIX}tasks WHERE lease_owner = 'w0' AND status IN ('queued', 'in-progress')`,
    );
    const orphans = orphanRows.map((r) => String(r.id));
    expect(orphans.length).toBeGreaterThan(0);

    const completed = () => count(`SELECT COUNT(*) AS n FROM ${PREFIX}tasks WHERE status = 'completed'`);
    const deadline = Date.now() + 40_000;
    while ((await completed()) < TASKS) {
      if (Date.now() > deadline) throw new Error(`only ${await completed()} of ${TASKS} completed; stderr: ${workers.map((w) => w.stderr()).join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }

    const [executionRows] = await db.query<mysql.RowDataPacket[]>(
      `SELECT task_id, pid, started_at, ended_at FROM ${PREFIX}executions ORDER BY task_id, started_at, id`,
    );
    const rows = executionRows.map((r) => ({
      taskId: String(r.task_id),
      pid: Number(r.pid),
      start: Number(r.started_at),
      end: r.ended_at === null ? null : Number(r.ended_at),
    }));
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
    // An orphan the victim had finished may still have completed: its commit, sent just before the
    // kill, can land after the orphan query above. Such a task needed no takeover; every other one
    // must have been finished by a survivor.
    const finishedByVictim = new Set(rows.filter((r) => r.pid === victimPid && r.end !== null).map((r) => r.taskId));
    const takenOver = orphans.filter((id) => finishedBySurvivors.has(id) || !finishedByVictim.has(id));
    const lateness = takenOver.map((id) => (finishedBySurvivors.get(id) ?? Number.POSITIVE_INFINITY) - killedAt);
    expect(Math.max(...lateness)).toBeLessThanOrEqual(2 * LEASE_MS);
    const survivorsRan = rows.filter((r) => r.pid !== victimPid).length;
    console.info(
      `orphans: ${orphans.length}, taken over after ${Math.round(Math.min(...lateness))}–${Math.round(Math.max(...lateness))} ms; re-runs: ${reruns}; executions by survivors: ${survivorsRan}`,
    );

    // the registry shows the killed worker as expired (its last heartbeat came before the kill), the others live
    const byId = new Map((await seed.instances.list()).map((i) => [i.id, i]));
    expect(byId.get('w0')?.expiresAt).toBeLessThanOrEqual(killedAt + LEASE_MS);
    expect(byId.get('w0')?.expiresAt).toBeLessThan(Date.now());
    for (const id of ['w1', 'w2']) expect(byId.get(id)?.expiresAt, id).toBeGreaterThan(Date.now());

    // the survivors stop gracefully and remove their records; the dead one's stays until it ages out
    for (const w of workers.slice(1)) w.child.kill('SIGTERM');
    expect(await Promise.all(workers.slice(1).map((w) => w.exited))).toEqual([0, 0]);
    expect((await seed.instances.list()).map((i) => i.id)).toEqual(['w0']);
    await seed.close();
  }, 90_000);
});
