/**
 * The PostgreSQL comparison: the same workload (lib/evertask-workload.ts) on EverTask's
 * PostgresStorage, pg-boss and graphile-worker, in one process, on one database, the backend
 * cleaned (schema dropped) before every phase. Settings of the peers as in reference/peer-bench.md.
 * Every library's handler is `async`, EverTask's too, with one extra EverTask drain on a
 * synchronous handler, one with audit `full` and one with the event feed on (`eventFeed: 'always'`).
 */
import pg from 'pg';
import { PostgresStorage } from '@evertask/postgres';
import { median } from '../lib/stats.js';
import type { Row } from '../lib/report.js';
import {
  BULK,
  BULK_CALL,
  CONCURRENCY,
  DRAIN,
  POOL,
  SINGLE,
  assertCount,
  everTaskDrain,
  everTaskPeer,
  latencyRun,
  producers,
  runPeersOnce,
  scenarioNames,
  statements,
  untilDrained,
  type EverTaskBackend,
  type Peer,
  type Results,
} from '../lib/evertask-workload.js';
import { loadGraphileWorker, loadPgBoss, peerVersion, type GraphileWorkerModule, type PgBossInstance, type PgBossModule } from '../lib/peer-libraries.js';

export const PG_URL = process.env.EVERTASK_BENCH_PG_URL ?? process.env.EVERTASK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const SCHEMA = { evertask: 'bench_evertask', pgboss: 'bench_pgboss', graphile: 'bench_graphile_worker' } as const;

export const S = {
  ...scenarioNames('postgres'),
  drainFeed: `postgres: drain ${DRAIN / 1000}k @ ${CONCURRENCY}, EverTask event feed on / off`,
};

async function dropSchema(admin: pg.Pool, schema: string): Promise<void> {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

async function countOf(admin: pg.Pool, sql: string): Promise<number> {
  return ((await admin.query<{ n: number }>(sql)).rows[0] as { n: number }).n;
}

/** EverTask's PostgresStorage on schema `bench_evertask`. */
export function postgresBackend(admin: pg.Pool): EverTaskBackend {
  return {
    library: 'evertask (PostgresStorage)',
    reset: () => dropSchema(admin, SCHEMA.evertask),
    storage: () => new PostgresStorage({ connectionString: PG_URL, schema: SCHEMA.evertask, max: POOL }),
    countAll: () => countOf(admin, `SELECT count(*)::int AS n FROM "${SCHEMA.evertask}".tasks`),
    countUnfinished: () => countOf(admin, `SELECT count(*)::int AS n FROM "${SCHEMA.evertask}".tasks WHERE status <> 'completed'`),
  };
}

// ---- pg-boss ----------------------------------------------------------------------------------

/** pg-boss on schema `bench_pgboss` (also run by the mysql suite, as its reference). */
export function pgBossPeer({ PgBoss }: PgBossModule, admin: pg.Pool): Peer {
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
    async run() {
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
      await untilDrained(() => countOf(admin, unfinished), () => handled, DRAIN);
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

function graphilePeer({ Logger: GraphileLogger, makeWorkerUtils, run: runGraphile }: GraphileWorkerModule, admin: pg.Pool): Peer {
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
    async run() {
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
      await untilDrained(() => countOf(admin, all), () => handled, DRAIN);
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
  const backend = postgresBackend(admin);
  const ours = everTaskPeer(backend, log);
  const peers: Peer[] = [ours, pgBossPeer(await loadPgBoss(), admin), graphilePeer(await loadGraphileWorker(), admin)];
  const results = new Map<string, Results[]>(peers.map((p) => [p.library, []]));
  const drainFull: number[] = [];
  const drainSync: number[] = [];
  const drainFeed: number[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      await runPeersOnce(peers, r, results, log);
      drainFull.push(await ours.drainFull());
      log(`  run ${r + 1}: evertask drain with audit full ${Math.round(drainFull.at(-1) as number)}/s`);
      drainSync.push(await ours.drainSync());
      log(`  run ${r + 1}: evertask drain with a synchronous handler ${Math.round(drainSync.at(-1) as number)}/s`);
      drainFeed.push(await everTaskDrain(backend, 'none', 'async', 'always'));
      log(`    evertask drain with the event feed on: ${statements.notify} feed notify statements for ${DRAIN} tasks`);
      log(`  run ${r + 1}: evertask drain with eventFeed 'always' ${Math.round(drainFeed.at(-1) as number)}/s`);
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
  add(S.drainFeed, "evertask (eventFeed 'always')", 'throughput', 'tasks/s', drainFeed);
  add(S.drainFeed, 'evertask (no watcher: nothing published)', 'throughput', 'tasks/s', (results.get(ours.library) as Results[]).map((x) => x.drain));
  for (const peer of peers.slice(1)) add(S.drainFull, peer.library, 'throughput', 'tasks/s', (results.get(peer.library) as Results[]).map((x) => x.drain));
  for (const metric of ['p50', 'p95', 'p99'] as const) {
    for (const peer of peers) add(S.latency, peer.library, metric, 'ms', (results.get(peer.library) as Results[]).map((x) => x.latency[metric]));
  }
  return rows;
}
