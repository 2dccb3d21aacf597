/**
 * Engine-level recovery on SQLite with real processes: a child runs an EverTask on a file and is
 * killed with SIGKILL in the middle of 2,000 tasks; a new engine on the same file finishes the work.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EverTask, silentLogger } from 'evertask';
import { SqliteStorage } from '../src/index.js';
import { spawnFixture, tempDir, until } from './helpers.js';
import { readExecutions, recordingTasks } from './fixtures/recording-tasks.js';

interface Ready {
  ready: true;
  pid: number;
  dispatchedAt: number;
  laterId: string;
  tickId: string;
  jobIds: number;
}

interface Row {
  id: string;
  name: string;
  status: string;
  due_at: number | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
}

const JOBS = 2000;
const LATER_DELAY_MS = 4000;

describe('EverTask on SQLite: restart after SIGKILL', () => {
  let tmp: ReturnType<typeof tempDir>;
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeEach(() => {
    tmp = tempDir();
  });

  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    tmp.cleanup();
  });

  for (const mode of ['same instanceId', 'new instance, lease 1s'] as const) {
    it(`${mode}: every task completes, none is lost, only tasks in flight at the kill run twice; delayed and recurring keep their times`, async () => {
      const same = mode === 'same instanceId';
      const file = tmp.file();
      const log = join(tmp.dir, 'executions.log');
      const worker = spawnFixture('engine-worker.ts', [
        JSON.stringify({
          mode: 'crash',
          file,
          log,
          concurrency: 8,
          workMs: 8,
          jobs: JOBS,
          laterDelayMs: LATER_DELAY_MS,
          ...(same ? { instanceId: 'node-a', lease: '30s' } : { lease: '1s' }),
        }),
      ]);
      cleanups.push(() => void worker.child.kill('SIGKILL'));
      const ready = await worker.nextJson<Ready>();
      expect(ready.jobIds).toBe(JOBS);

      // Kill while jobs are running, once the recurring series has run at least once.
      await until(
        () => {
          const runs = readExecutions(log);
          return runs.some((e) => e.kind === 'tick') && runs.filter((e) => e.kind === 'job').length >= 300;
        },
        15_000,
        'the child to run jobs and one tick',
      );
      worker.child.kill('SIGKILL');
      expect((await worker.exited).signal).toBe('SIGKILL');
      const killedAt = Date.now();

      // What the file says right after the kill.
      const db = new Database(file);
      const rows = db.prepare(`SELECT id, name, status, due_at, lease_owner, lease_expires_at FROM evertask_tasks`).all() as Row[];
      db.close();
      const inFlight = new Map(rows.filter((r) => r.status === 'queued' || r.status === 'in-progress').map((r) => [r.id, r]));
      const jobsRunBeforeKill = readExecutions(log).filter((e) => e.kind === 'job').length;
      expect(jobsRunBeforeKill).toBeLessThan(JOBS); // the kill really was in the middle
      expect(inFlight.size).toBeGreaterThan(0);
      const laterRow = rows.find((r) => r.id === ready.laterId) as Row;
      expect(laterRow.status).toBe('waiting');
      expect(laterRow.due_at).toBeGreaterThanOrEqual(ready.dispatchedAt + LATER_DELAY_MS);
      expect(rows.filter((r) => r.name === 'tick')).toHaveLength(1);

      // Restart on the same file, in this process.
      const restartedAt = Date.now();
      const engine = new EverTask({
        storage: new SqliteStorage({ filename: file }),
        tasks: recordingTasks(log, 1).all,
        logger: silentLogger,
        queues: { default: { concurrency: 8 }, recurring: { concurrency: 1 } },
        ...(same ? { instanceId: 'node-a', lease: '30s' } : { instanceId: 'node-b', lease: '1s' }),
      });
      cleanups.push(() => engine.stop({ closeStorage: true }));
      await engine.start();
      expect(restartedAt).toBeLessThan(laterRow.due_at as number); // the delayed task is still ahead

      const ownPid = process.pid;
      await until(
        async () => {
          const done = await engine.queryTasks({ name: 'job', statuses: ['completed'] }, { limit: 1 });
          const runs = readExecutions(log);
          return (
            done.total === JOBS &&
            runs.some((e) => e.kind === 'later') &&
            runs.filter((e) => e.kind === 'tick' && e.pid === ownPid).length >= 2
          );
        },
        15_000,
        'every job, the delayed task and two more ticks',
      );
      const allDoneAt = Date.now();
      await engine.cancel(ready.tickId);
      await engine.stop({ closeStorage: true });

      const runs = readExecutions(log);
      const jobRows = rows.filter((r) => r.name === 'job');
      expect(jobRows).toHaveLength(JOBS);
      const perJob = new Map<string, number>();
      for (const e of runs) if (e.kind === 'job') perJob.set(e.id, (perJob.get(e.id) ?? 0) + 1);
      // none lost
      for (const r of jobRows) expect(perJob.get(r.id) ?? 0, `job ${r.id}`).toBeGreaterThanOrEqual(1);
      expect(perJob.size).toBe(JOBS);
      // only the tasks in flight at the kill ran twice (at least once delivery), and at most twice
      const twice = [...perJob].filter(([, n]) => n > 1);
      for (const [id, n] of twice) {
        expect(inFlight.has(id), `job ${id} ran ${n} times but was not in flight at the kill`).toBe(true);
        expect(n).toBe(2);
      }
      expect(twice.length).toBeLessThanOrEqual(inFlight.size);

      if (same) {
        // the same id takes its tasks back at once, not after the 30 s lease
        expect(allDoneAt - killedAt).toBeLessThan(15_000);
      } else {
        // another instance takes a task over only once its lease has expired
        for (const e of runs) {
          const row = inFlight.get(e.id);
          if (e.pid === ownPid && row?.lease_expires_at != null) expect(e.at).toBeGreaterThanOrEqual(row.lease_expires_at);
        }
      }

      // the delayed task ran once, at its due time, not at the restart
      const laters = runs.filter((e) => e.kind === 'later');
      expect(laters).toHaveLength(1);
      expect(laters[0]?.pid).toBe(ownPid);
      expect(laters[0]?.at).toBeGreaterThanOrEqual(laterRow.due_at as number);

      // the recurring series carried on, on its grid, with no occurrence run twice (except one
      // occurrence that was in flight at the kill)
      const ticks = runs.filter((e) => e.kind === 'tick');
      expect(ticks.some((e) => e.pid === ready.pid)).toBe(true);
      expect(ticks.filter((e) => e.pid === ownPid).length).toBeGreaterThanOrEqual(2);
      const occurrences = ticks.map((e) => e.scheduledAt as number);
      for (const t of ticks) {
        expect(t.scheduledAt! % 1000).toBe(0);
        expect(t.at).toBeGreaterThanOrEqual(t.scheduledAt!);
      }
      for (let i = 1; i < occurrences.length; i++) expect(occurrences[i]).toBeGreaterThanOrEqual(occurrences[i - 1] as number);
      const repeated = occurrences.length - new Set(occurrences).size;
      expect(repeated).toBeLessThanOrEqual(inFlight.has(ready.tickId) ? 1 : 0);
      console.info(
        `${mode}: ${jobsRunBeforeKill} jobs ran before the kill, ${inFlight.size} in flight, ${twice.length} ran twice; ` +
          `done ${allDoneAt - killedAt} ms after the kill; ticks ${ticks.length} (${repeated} repeated)`,
      );
    }, 40_000);
  }
});
