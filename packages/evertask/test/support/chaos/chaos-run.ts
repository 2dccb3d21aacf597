/**
 * One chaos run on one storage: worker processes (`chaos-worker.ts`) share the storage through a
 * TCP proxy while the faults of the plan are injected one after another as the work progresses —
 * a SIGKILL of a random worker (started again after a moment), a cut of every connection, a crash
 * and restart of the database server — with the workers' clocks skewed. Once every acknowledged
 * task is finished the invariants are checked (`chaos-invariants.ts`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ACTIVE_STATUSES, type TaskStorage } from 'evertask';
import { readDispatches, readExecutions, type Dispatch } from '../execution-ledger.js';
import { TcpProxy } from '../tcp-proxy.js';
import { waitFor } from '../wait-for.js';
import { ChaosFleet, type Kill } from './chaos-fleet.js';
import { checkInvariants, effectiveEnd, type StoredOutcome, type Violation } from './chaos-invariants.js';
import { unitRandom } from './chaos-workload.js';

/** A storage's server (or file) for one run, made by its adapter. */
export interface ChaosBackend<S> {
  /** The server's address, proxied for the workers; none for a storage without a network (SQLite). */
  target?: { host: string; port: number };
  /** What a worker needs to build its storage, connecting to `port` (the proxy's) when there is a network. */
  workerStorage(port: number | undefined): S;
  /** A storage on the same data, connected directly, for the run's reads (not opened yet). */
  readStorage(): TaskStorage;
  /** Crashes the server (SIGKILL or immediate stop) and starts it again on the same data. */
  restartServer?(): Promise<void>;
  /** Removes the server and its data. */
  close(): Promise<void>;
}

/** What a storage package gives the chaos suite. */
export interface ChaosAdapter<S> {
  storage: string;
  /** The adapter's worker fixture, calling `runChaosWorker` with its storage. */
  workerScript: string;
  /** Starts a throwaway server (or file) of its own. */
  setUp(tag: string): Promise<ChaosBackend<S>>;
  /** The workers' sweep interval (short for a storage without wake-ups between processes). @defaultValue '1s' */
  sweepInterval?: string;
}

export type FaultKind = 'sigkill' | 'connection cut' | 'server restart';

/** An injected fault and when it started and ended (ms). */
export interface Fault {
  kind: FaultKind;
  at: number;
  until: number;
}

/** The size and faults of a run. */
export interface ChaosOptions {
  tasks: number;
  workers: number;
  kills: number;
  cuts: number;
  restarts: number;
  seed: number;
  /** Recurring series (every second, `seriesRuns` runs each). */
  series: number;
  seriesRuns: number;
  /** Largest clock offset of a worker, ms. */
  skewMs: number;
  /** Lease of the workers, ms: above twice the skew plus the heartbeat, so skew alone steals nothing. */
  leaseMs: number;
  /** How long a cut lasts, ms. */
  cutMs: number;
  /** How long the run may take once the faults are done, ms. */
  settleTimeoutMs: number;
  /** Progress lines. @defaultValue none */
  log?: (line: string) => void;
}

/** The short run's size and faults. */
export const SHORT_CHAOS: ChaosOptions = {
  tasks: 400,
  workers: 3,
  kills: 1,
  cuts: 1,
  restarts: 1,
  seed: 12,
  series: 2,
  seriesRuns: 8,
  // a lease well above the skew between two workers (2 s) plus a heartbeat, so that a heartbeat late
  // by seconds on a starved machine loses no lease of a live process
  skewMs: 1000,
  leaseMs: 12_000,
  cutMs: 2000,
  settleTimeoutMs: 90_000,
};

export interface ChaosResult {
  storage: string;
  options: ChaosOptions;
  /** Distinct acknowledged tasks (keyed re-dispatches count once), and the dispatch calls acknowledged. */
  tasks: number;
  dispatches: number;
  executions: number;
  kills: Kill[];
  faults: Fault[];
  /** Per task a killed process had running: ms from the kill to its next start. */
  takeoverMs: number[];
  violations: Violation[];
  wallMs: number;
}

/** The faults of the plan, in a seeded random order, each at a fraction of the work done. */
function plan(options: ChaosOptions, network: boolean, restartable: boolean): { kind: FaultKind; fraction: number }[] {
  const kinds: FaultKind[] = [
    ...Array.from({ length: options.kills }, () => 'sigkill' as const),
    ...Array.from({ length: network ? options.cuts : 0 }, () => 'connection cut' as const),
    ...Array.from({ length: restartable ? options.restarts : 0 }, () => 'server restart' as const),
  ];
  const order = kinds.map((kind, i) => ({ kind, r: unitRandom(options.seed + 99, i) })).sort((a, b) => a.r - b.r);
  return order.map((o, i) => ({ kind: o.kind, fraction: 0.1 + (0.7 * (i + 0.5)) / Math.max(1, order.length) }));
}

async function activeCount(storage: TaskStorage): Promise<number> {
  return (await storage.count({ statuses: [...ACTIVE_STATUSES] })).reduce((sum, cell) => sum + cell.count, 0);
}

/** Reads the outcome of every acknowledged task, 50 at a time (and who holds the key of a keyed one gone). */
async function readOutcomes(storage: TaskStorage, dispatches: readonly Dispatch[]): Promise<Map<string, StoredOutcome>> {
  const keys = new Map(dispatches.map((d) => [d.taskId, d.note.split(':')[2]]));
  const ids = [...keys.keys()];
  const outcomes = new Map<string, StoredOutcome>();
  for (let i = 0; i < ids.length; i += 50) {
    const read = await Promise.all(
      ids.slice(i, i + 50).map(async (id) => {
        const [task, audit] = await Promise.all([storage.get(id), storage.getStatusAudit(id)]);
        const key = keys.get(id);
        const keyHolder = task === undefined && key !== undefined && key !== '-' ? (await storage.getByTaskKey(key))?.id : undefined;
        return { id, task, audit, keyHolder };
      }),
    );
    for (const r of read) outcomes.set(r.id, { status: r.task?.status, later: undefined, audit: r.audit, keyHolder: r.keyHolder });
  }
  return outcomes;
}

/** Runs the plan on one storage and checks the invariants. */
export async function runChaos<S>(adapter: ChaosAdapter<S>, options: ChaosOptions): Promise<ChaosResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const backend = await adapter.setUp(`s${options.seed}`);
  const ledgerDir = mkdtempSync(join(tmpdir(), `evertask-chaos-${adapter.storage}-`));
  const proxy = backend.target === undefined ? undefined : new TcpProxy(backend.target);
  await proxy?.listen();
  const reader = backend.readStorage();
  const heartbeatMs = Math.max(200, Math.round(options.leaseMs / 8));
  const fleet = new ChaosFleet(adapter.workerScript, {
    workers: options.workers,
    skewMs: options.skewMs,
    seriesCount: options.series,
    ledgerDir,
    concurrency: 8,
    lease: `${options.leaseMs}ms`,
    heartbeat: `${heartbeatMs}ms`,
    sweepInterval: adapter.sweepInterval ?? '1s',
    seed: options.seed,
    total: options.tasks,
    chunk: 50,
    paceMs: 20,
    seriesRuns: options.seriesRuns,
    storage: backend.workerStorage(proxy?.port),
  });
  const faults: Fault[] = [];
  try {
    await reader.open();
    await fleet.start();
    log(`${adapter.storage}: ${options.workers} workers ready`);
    const ended = () => {
      fleet.assertAlive();
      return new Set(readExecutions(ledgerDir).filter((e) => e.end !== null).map((e) => e.taskId)).size;
    };
    let n = 0;
    for (const step of plan(options, proxy !== undefined, backend.restartServer !== undefined)) {
      await waitFor(() => ended() >= step.fraction * options.tasks, options.settleTimeoutMs, `${Math.round(step.fraction * 100)} % of the tasks run`);
      const at = Date.now();
      if (step.kind === 'sigkill') {
        const slot = Math.floor(unitRandom(options.seed + 7, n) * options.workers);
        // alternately under a new instance id (its tasks wait for their leases to lapse) and the same one
        await fleet.killAndRestart(slot, 200 + Math.floor(unitRandom(options.seed + 8, n) * 1000), fleet.kills.length % 2 === 1);
      } else if (step.kind === 'connection cut') {
        await proxy?.cut();
        await sleep(options.cutMs);
        await proxy?.restore();
      } else {
        await backend.restartServer?.();
      }
      faults.push({ kind: step.kind, at, until: Date.now() });
      log(`${adapter.storage}: ${step.kind} at ${Math.round(step.fraction * 100)} % (${Date.now() - at} ms)`);
      n++;
    }
    await waitFor(async () => (fleet.assertAlive(), fleet.allDispatched()) && (await activeCount(reader)) === 0, options.settleTimeoutMs, 'every task finished').catch(async (error: unknown) => {
      const state = `all dispatched: ${fleet.allDispatched()}; statuses ${JSON.stringify(await reader.count({}).catch(() => []))}`;
      throw new Error(`${(error as Error).message}; ${state}; workers said: ${fleet.stderr().slice(-2000)}`);
    });
    const dispatches = readDispatches(ledgerDir);
    const ids = [...new Set(dispatches.map((d) => d.taskId))];
    const outcomes = await readOutcomes(reader, dispatches);
    // a terminal status must still be there a few heartbeats later, the workers still running
    await sleep(heartbeatMs * 4);
    for (let i = 0; i < ids.length; i += 200) {
      const tasks = await Promise.all(ids.slice(i, i + 200).map((id) => reader.get(id)));
      tasks.forEach((task, k) => {
        const outcome = outcomes.get(ids[i + k] as string);
        if (outcome !== undefined) outcome.later = task?.status;
      });
    }
    const executions = readExecutions(ledgerDir);
    const survivors = fleet.livePids();
    const stopped = await fleet.stop();
    if (stopped.some((code) => code !== 0)) throw new Error(`a worker did not stop cleanly (${stopped.join(', ')}): ${fleet.stderr().slice(-2000)}`);
    const kills = new Map(fleet.kills.map((k) => [k.pid, k.at]));
    const outages = faults.filter((f) => f.kind !== 'sigkill').map((f) => ({ from: f.at, to: f.until + options.leaseMs }));
    const violations = checkInvariants({ executions, dispatches, kills, survivors, outages, outcomes, seriesRuns: options.seriesRuns, inFlightWindowMs: options.leaseMs });
    const takeoverMs: number[] = [];
    for (const e of executions) {
      const killedAt = kills.get(e.pid);
      if (killedAt === undefined || e.end !== null) continue;
      const next = executions.find((x) => x.taskId === e.taskId && x.start >= effectiveEnd(e, kills));
      if (next !== undefined) takeoverMs.push(next.start - killedAt);
    }
    return {
      storage: adapter.storage,
      options,
      tasks: ids.length,
      dispatches: dispatches.length,
      executions: executions.length,
      kills: fleet.kills,
      faults,
      takeoverMs: takeoverMs.sort((a, b) => a - b),
      violations,
      wallMs: Date.now() - started,
    };
  } finally {
    await fleet.destroy();
    await proxy?.cut();
    await reader.close().catch(() => undefined);
    await backend.close();
    // EVERTASK_CHAOS_KEEP=1 keeps the ledger to look into a failed run
    if (process.env.EVERTASK_CHAOS_KEEP === '1') log(`ledger kept in ${ledgerDir}`);
    else rmSync(ledgerDir, { recursive: true, force: true });
  }
}
