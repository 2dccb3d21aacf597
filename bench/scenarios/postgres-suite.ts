/**
 * The PostgreSQL comparison: the same workload on EverTask's PostgresStorage, pg-boss and
 * graphile-worker, in one process, on one database, the backend cleaned (schema dropped) before
 * every phase. Settings of the peers as in reference/peer-bench.md.
 *
 * Workload (no-op tasks with payload {i}; every library's handler is `async`, EverTask's too, with
 * one extra EverTask drain on a synchronous handler):
 * - bulk enqueue: 20 sequential bulk calls of 1,000;
 * - single enqueue: 5,000 from 16 concurrent producers, each awaiting one enqueue at a time;
 * - drain: 20,000 pre-filled tasks at concurrency 16, clock from the worker's start until the
 *   backend reports none unfinished (polled every 50 ms, every 5 ms once the handlers reached 98 %);
 * - latency: an idle worker (started 1 s before), 500 enqueues 5 ms apart, from just before the
 *   enqueue call to the first line of the handler; p50/p95/p99.
 */
import pg from 'pg';
import { defineTask, EverTask, newStoredTask, silentLogger, uuidv7, type AuditLevel, type StoredTask } from 'evertask';
import { PostgresStorage } from '@evertask/postgres';
import { median } from '../lib/stats.js';
import {
  BULK,
  BULK_CALL,
  CONCURRENCY,
  DRAIN,
  LATENCY_N,
  LATENCY_SPACING_MS,
  PRODUCERS,
  SINGLE,
  assertCount,
  latencyRun,
  producers,
  untilDrained as untilNone,
  type Results,
} from '../lib/queue-workload.js';
import type { Row } from '../lib/report.js';
import { loadGraphileWorker, loadPgBoss, peerVersion, type GraphileWorkerModule, type PgBossInstance, type PgBossModule } from '../lib/peer-libraries.js';

export const PG_URL = process.env.EVERTASK_BENCH_PG_URL ?? process.env.EVERTASK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const POOL = 20;

const SCHEMA = { evertask: 'bench_evertask', pgboss: 'bench_pgboss', graphile: 'bench_graphile_worker' } as const;

export const S = {
  bulk: `postgres: bulk enqueue ${BULK / 1000}k (${BULK / BULK_CALL} × ${BULK_CALL.toLocaleString('en-US')})`,
  single: `postgres: single enqueue ${SINGLE / 1000}k (${PRODUCERS} producers)`,
  drain: `postgres: drain ${DRAIN / 1000}k @ concurrency ${CONCURRENCY}`,
  drainFull: `postgres: drain ${DRAIN / 1000}k @ ${CONCURRENCY}, EverTask audit full`,
  latency: `postgres: dispatch→start latency (${LATENCY_N} × ${LATENCY_SPACING_MS} ms)`,
};

interface Peer {
  library: string;
  run(admin: pg.Pool): Promise<Results>;
}

// ---- shared helpers ---------------------------------------------------------------------------

async function dropSchema(admin: pg.Pool, schema: string): Promise<void> {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

async function countOf(admin: pg.Pool, sql: string): Promise<number> {
  return ((await admin.query<{ n: number }>(sql)).rows[0] as { n: number }).n;
}

/** Waits until the backend reports no unfinished job (see queue-workload.ts). */
async function untilDrained(admin: pg.Pool, unfinishedSql: string, handled: () => number, total: number): Promise<void> {
  await untilNone(() => countOf(admin, unfinishedSql), handled, total);
}

// ---- EverTask ---------------------------------------------------------------------------------

/** A stored task as `dispatch` makes it (for pre-filling the drain without an engine running it). */
function storedTask(i: number, now: number, auditLevel: AuditLevel): StoredTask {
  return newStoredTask({ id: uuidv7(now), name: 'noop', payload: JSON.stringify({ i }), createdAt: now, auditLevel });
}

/** Storage statements issued by the last EverTask phase (to show the coalescing at work). */
export const statements = { add: 0, transition: 0, claimDue: 0 };

/** An engine whose no-op handler is `async` (what users write, and what the peers' are), or plain with `sync`. */
function everTaskEngine(handler: (p: { i: number }) => void, auditLevel: AuditLevel, kind: 'async' | 'sync' = 'async') {
  const noop = defineTask({ name: 'noop', handler: kind === 'async' ? async (p: { i: number }) => handler(p) : handler });
  const storage = new PostgresStorage({ connectionString: PG_URL, schema: SCHEMA.evertask, max: POOL });
  statements.add = statements.transition = statements.claimDue = 0;
  for (const op of ['add', 'transition', 'claimDue'] as const) {
    const original = storage[op].bind(storage) as (...args: unknown[]) => Promise<unknown>;
    (storage as unknown as Record<string, unknown>)[op] = (...args: unknown[]) => {
      statements[op]++;
      return original(...args);
    };
  }
  const engine = new EverTask({
    storage,
    tasks: [noop],
    logger: silentLogger,
    queues: { default: { concurrency: CONCURRENCY } },
    defaults: { auditLevel },
  });
  return { noop, storage, engine };
}

async function everTaskDrain(admin: pg.Pool, auditLevel: AuditLevel, kind: 'async' | 'sync' = 'async'): Promise<number> {
  await dropSchema(admin, SCHEMA.evertask);
  let handled = 0;
  const { engine, storage } = everTaskEngine(() => void handled++, auditLevel, kind);
  await storage.open();
  const now = Date.now();
  for (let i = 0; i < DRAIN; i += BULK_CALL) {
    await storage.add(
      Array.from({ length: BULK_CALL }, (_, j) => storedTask(i + j, now, auditLevel)),
      { audit: auditLevel === 'full' },
    );
  }
  const started = performance.now();
  await engine.start();
  await untilDrained(admin, `SELECT count(*)::int AS n FROM "${SCHEMA.evertask}".tasks WHERE status <> 'completed'`, () => handled, DRAIN);
  const rate = DRAIN / ((performance.now() - started) / 1000);
  await engine.stop({ closeStorage: true });
  return rate;
}

export function everTaskPeer(log: (line: string) => void): Peer & { drainFull(admin: pg.Pool): Promise<number>; drainSync(admin: pg.Pool): Promise<number> } {
  return {
    library: 'evertask (PostgresStorage)',
    drainFull: (admin) => everTaskDrain(admin, 'full'),
    drainSync: (admin) => everTaskDrain(admin, 'none', 'sync'),
    async run(admin) {
      // bulk
      await dropSchema(admin, SCHEMA.evertask);
      let e = everTaskEngine(() => undefined, 'none');
      await e.engine.start();
      let started = performance.now();
      for (let i = 0; i < BULK; i += BULK_CALL) {
        await e.engine.dispatchMany(e.noop, Array.from({ length: BULK_CALL }, (_, j) => ({ i: i + j })));
      }
      const bulk = BULK / ((performance.now() - started) / 1000);
      assertCount('evertask bulk', await countOf(admin, `SELECT count(*)::int AS n FROM "${SCHEMA.evertask}".tasks`), BULK);
      await e.engine.stop({ closeStorage: true });

      // single, 16 producers
      await dropSchema(admin, SCHEMA.evertask);
      e = everTaskEngine(() => undefined, 'none');
      await e.engine.start();
      const single = await producers(SINGLE, (i) => e.engine.dispatch(e.noop, { i }));
      assertCount('evertask single', await countOf(admin, `SELECT count(*)::int AS n FROM "${SCHEMA.evertask}".tasks`), SINGLE);
      const singleInserts = statements.add;
      await e.engine.stop({ closeStorage: true });

      // the same two enqueue phases with nothing running meanwhile (tasks due in a minute), as the peers enqueue
      await dropSchema(admin, SCHEMA.evertask);
      e = everTaskEngine(() => undefined, 'none');
      await e.engine.start();
      started = performance.now();
      for (let i = 0; i < BULK; i += BULK_CALL) {
        await e.engine.dispatchMany(e.noop, Array.from({ length: BULK_CALL }, (_, j) => ({ i: i + j })), { delay: '1m' });
      }
      const bulkOnly = BULK / ((performance.now() - started) / 1000);
      await e.engine.stop({ closeStorage: true });
      await dropSchema(admin, SCHEMA.evertask);
      e = everTaskEngine(() => undefined, 'none');
      await e.engine.start();
      const singleOnly = await producers(SINGLE, (i) => e.engine.dispatch(e.noop, { i }, { delay: '1m' }));
      const singleOnlyInserts = statements.add;
      assertCount('evertask single (enqueue only)', await countOf(admin, `SELECT count(*)::int AS n FROM "${SCHEMA.evertask}".tasks`), SINGLE);
      await e.engine.stop({ closeStorage: true });
      log(`    evertask: ${SINGLE} single dispatches from ${PRODUCERS} producers → ${singleInserts} insert statements (${singleOnlyInserts} when delayed)`);

      const drain = await everTaskDrain(admin, 'none');
      log(`    evertask drain: ${statements.claimDue} claim and ${statements.transition} transition statements for ${DRAIN} tasks`);

      // latency
      await dropSchema(admin, SCHEMA.evertask);
      const sentAt: number[] = [];
      const latencies: number[] = [];
      e = everTaskEngine((p) => void latencies.push(performance.now() - (sentAt[p.i] as number)), 'none');
      await e.engine.start();
      const latency = await latencyRun((i) => e.engine.dispatch(e.noop, { i }), sentAt, latencies);
      await e.engine.stop({ closeStorage: true });
      await dropSchema(admin, SCHEMA.evertask);
      return { bulk, single, drain, latency, bulkOnly, singleOnly };
    },
  };
}

// ---- pg-boss ----------------------------------------------------------------------------------

function pgBossPeer({ PgBoss }: PgBossModule): Peer {
  const boss = () => {
    const b = new PgBoss({ connectionString: PG_URL, schema: SCHEMA.pgboss, max: POOL, useListenNotify: true });
    b.on('error', (error: Error) => console.error(`[pg-boss] ${error.message}`));
    return b;
  };
  const fresh = async (admin: pg.Pool): Promise<PgBossInstance> => {
    await dropSchema(admin, SCHEMA.pgboss);
    const b = boss();
    await b.start();
    await b.createQueue('bench', { notify: true });
    return b;
  };
  const unfinished = `SELECT count(*)::int AS n FROM "${SCHEMA.pgboss}".job WHERE name = 'bench' AND state IN ('created', 'retry', 'active')`;
  const all = `SELECT count(*)::int AS n FROM "${SCHEMA.pgboss}".job WHERE name = 'bench'`;
  const insertAll = async (b: PgBossInstance, n: number): Promise<void> => {
    for (let i = 0; i < n; i += BULK_CALL) await b.insert('bench', Array.from({ length: BULK_CALL }, (_, j) => ({ data: { i: i + j } })));
  };
  const batch16 = { batchSize: 16, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 };
  return {
    library: `pg-boss ${peerVersion('pg-boss')} (batch16)`,
    async run(admin) {
      let b = await fresh(admin);
      let started = performance.now();
      await insertAll(b, BULK);
      const bulk = BULK / ((performance.now() - started) / 1000);
      assertCount('pg-boss bulk', await countOf(admin, all), BULK);
      await b.stop({ graceful: false });

      b = await fresh(admin);
      const single = await producers(SINGLE, (i) => b.send('bench', { i }));
      assertCount('pg-boss single', await countOf(admin, all), SINGLE);
      await b.stop({ graceful: false });

      b = await fresh(admin);
      await insertAll(b, DRAIN);
      let handled = 0;
      started = performance.now();
      const bossForDrain = b;
      await bossForDrain.work('bench', batch16, async (jobs) => {
        await Promise.all(jobs.map(async () => void handled++));
      });
      await untilDrained(admin, unfinished, () => handled, DRAIN);
      const drain = DRAIN / ((performance.now() - started) / 1000);
      await b.stop({ graceful: false });

      b = await fresh(admin);
      const sentAt: number[] = [];
      const latencies: number[] = [];
      await b.work<{ i: number }>('bench', batch16, async (jobs) => {
        const now = performance.now();
        for (const job of jobs) latencies.push(now - (sentAt[job.data.i] as number));
      });
      const bossForLatency = b;
      const latency = await latencyRun((i) => bossForLatency.send('bench', { i }), sentAt, latencies);
      await b.stop({ graceful: false });
      await dropSchema(admin, SCHEMA.pgboss);
      return { bulk, single, drain, latency };
    },
  };
}

// ---- graphile-worker --------------------------------------------------------------------------

function graphilePeer({ Logger: GraphileLogger, makeWorkerUtils, run: runGraphile }: GraphileWorkerModule): Peer {
  const logger = new GraphileLogger(() => (level, message) => {
    if (level === 'error' || level === 'warning') console.error(`[graphile-worker] ${level}: ${message}`);
  });
  const common = { connectionString: PG_URL, schema: SCHEMA.graphile, logger };
  const fresh = async (admin: pg.Pool) => {
    await dropSchema(admin, SCHEMA.graphile);
    const utils = await makeWorkerUtils({ ...common, maxPoolSize: POOL });
    await utils.migrate();
    return utils;
  };
  const all = `SELECT count(*)::int AS n FROM "${SCHEMA.graphile}".jobs`;
  const worker = (noop: (payload: unknown) => void) =>
    runGraphile({ ...common, concurrency: CONCURRENCY, maxPoolSize: POOL, noHandleSignals: true, taskList: { noop: async (payload) => noop(payload) } });
  const addAll = async (utils: Awaited<ReturnType<typeof fresh>>, n: number): Promise<void> => {
    for (let i = 0; i < n; i += BULK_CALL) {
      await utils.addJobs(Array.from({ length: BULK_CALL }, (_, j) => ({ identifier: 'noop', payload: { i: i + j } })));
    }
  };
  return {
    library: `graphile-worker ${peerVersion('graphile-worker')}`,
    async run(admin) {
      let utils = await fresh(admin);
      let started = performance.now();
      await addAll(utils, BULK);
      const bulk = BULK / ((performance.now() - started) / 1000);
      assertCount('graphile bulk', await countOf(admin, all), BULK);
      await utils.release();

      utils = await fresh(admin);
      const u = utils;
      const single = await producers(SINGLE, (i) => u.addJob('noop', { i }));
      assertCount('graphile single', await countOf(admin, all), SINGLE);
      await utils.release();

      utils = await fresh(admin);
      await addAll(utils, DRAIN);
      await utils.release();
      let handled = 0;
      started = performance.now();
      let runner = await worker(() => void handled++);
      await untilDrained(admin, all, () => handled, DRAIN);
      const drain = DRAIN / ((performance.now() - started) / 1000);
      await runner.stop();

      utils = await fresh(admin);
      const sentAt: number[] = [];
      const latencies: number[] = [];
      runner = await worker((payload) => void latencies.push(performance.now() - (sentAt[(payload as { i: number }).i] as number)));
      const u2 = utils;
      const latency = await latencyRun((i) => u2.addJob('noop', { i }), sentAt, latencies);
      await runner.stop();
      await utils.release();
      await dropSchema(admin, SCHEMA.graphile);
      return { bulk, single, drain, latency };
    },
  };
}

// ---- the suite --------------------------------------------------------------------------------

/** Runs the comparison `runs` times (alternating the library order) and returns the median rows. */
export async function postgresRows(runs: number, log: (line: string) => void): Promise<Row[]> {
  const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
  admin.on('error', () => undefined);
  const server = (await admin.query<{ v: string; sc: string }>(`SELECT current_setting('server_version') AS v, current_setting('synchronous_commit') AS sc`)).rows[0];
  log(`PostgreSQL ${server?.v} (synchronous_commit ${server?.sc}) at ${PG_URL.replace(/:[^:@/]*@/, ':***@')}, Node ${process.version}`);
  const ours = everTaskPeer(log);
  const peers: Peer[] = [ours, pgBossPeer(await loadPgBoss()), graphilePeer(await loadGraphileWorker())];
  const results = new Map<string, Results[]>(peers.map((p) => [p.library, []]));
  const drainFull: number[] = [];
  const drainSync: number[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      const order = r % 2 === 0 ? peers : [...peers].reverse();
      for (const peer of order) {
        const res = await peer.run(admin);
        (results.get(peer.library) as Results[]).push(res);
        log(
          `  run ${r + 1}: ${peer.library.padEnd(28)} bulk ${Math.round(res.bulk)}/s, single ${Math.round(res.single)}/s, drain ${Math.round(res.drain)}/s, ` +
            `latency p50 ${res.latency.p50.toFixed(2)} / p95 ${res.latency.p95.toFixed(2)} / p99 ${res.latency.p99.toFixed(2)} ms`,
        );
      }
      drainFull.push(await ours.drainFull(admin));
      log(`  run ${r + 1}: evertask drain with audit full ${Math.round(drainFull.at(-1) as number)}/s`);
      drainSync.push(await ours.drainSync(admin));
      log(`  run ${r + 1}: evertask drain with a synchronous handler ${Math.round(drainSync.at(-1) as number)}/s`);
    }
  } finally {
    for (const s of Object.values(SCHEMA)) await dropSchema(admin, s).catch(() => undefined);
    await admin.end();
  }
  const rows: Row[] = [];
  const add = (scenario: string, library: string, metric: string, unit: string, values: number[]) =>
    rows.push({ scenario, library, metric, unit, value: median(values), runs: values });
  for (const [scenario, pick] of [
    [S.bulk, (x: Results) => x.bulk],
    [S.single, (x: Results) => x.single],
    [S.drain, (x: Results) => x.drain],
  ] as const) {
    for (const peer of peers) add(scenario, peer.library, 'throughput', 'tasks/s', (results.get(peer.library) as Results[]).map(pick));
    const only = scenario === S.bulk ? (x: Results) => x.bulkOnly : scenario === S.single ? (x: Results) => x.singleOnly : undefined;
    if (only) add(scenario, 'evertask (enqueue only: delay 1m)', 'throughput', 'tasks/s', (results.get(ours.library) as Results[]).map((x) => only(x) ?? 0));
    if (scenario === S.drain) add(scenario, 'evertask (sync handler)', 'throughput', 'tasks/s', drainSync);
  }
  add(S.drainFull, 'evertask (PostgresStorage, audit full)', 'throughput', 'tasks/s', drainFull);
  for (const peer of peers.slice(1)) add(S.drainFull, peer.library, 'throughput', 'tasks/s', (results.get(peer.library) as Results[]).map((x) => x.drain));
  for (const metric of ['p50', 'p95', 'p99'] as const) {
    for (const peer of peers) add(S.latency, peer.library, metric, 'ms', (results.get(peer.library) as Results[]).map((x) => x.latency[metric]));
  }
  return rows;
}
