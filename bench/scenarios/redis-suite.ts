/**
 * The Redis comparison: the workload of the PostgreSQL suite (lib/evertask-workload.ts) on EverTask's
 * RedisStorage and on BullMQ 6.7.0, in one process, on one redis-server started for the run (no
 * persistence, as in reference/peer-bench.md), FLUSHALL before every phase. EverTask's handler is
 * `async`, like BullMQ's processor; concurrency 16 for both.
 */
import { Redis } from 'ioredis';
import { defineTask, EverTask, newStoredTask, silentLogger, uuidv7, type AuditLevel, type StoredTask } from 'evertask';
import { RedisStorage } from '@evertask/redis';
import { median } from '../lib/stats.js';
import type { Row } from '../lib/report.js';
import { loadBullMQ, peerVersion, type BullConnection, type BullMQModule } from '../lib/peer-libraries.js';
import { ThrowawayRedis } from '../../packages/redis/test/throwaway-redis.js';
import {
  BULK,
  BULK_CALL,
  CONCURRENCY,
  DRAIN,
  SINGLE,
  assertCount,
  latencyRun,
  producers,
  scenarioNames,
  untilDrained,
  type Results,
} from '../lib/evertask-workload.js';

const PREFIX = 'bench';

export const S = { ...scenarioNames('redis'), drainCpu: 'redis: CPU per task of the drain (audit none)' };

/** CPU spent per drained task: this process (engine or worker, producers idle) and the Redis server. */
interface DrainCpu {
  node: number;
  redis: number;
}

type RedisResults = Results & { cpu: DrainCpu };

interface Peer {
  library: string;
  run(): Promise<RedisResults>;
}

/** What every phase needs: the server's URL and a client that empties it. */
interface Bench {
  url: string;
  admin: Redis;
}

const flush = async (bench: Bench): Promise<void> => void (await bench.admin.flushall());

/** The server's CPU time so far (user + system), in µs. */
async function redisCpuMicros(admin: Redis): Promise<number> {
  const info = String(await admin.info('cpu'));
  const seconds = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? Number.NaN);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6;
}

/** Starts counting CPU; the returned function gives the µs per task of both processes since. */
async function cpuMeter(admin: Redis): Promise<(tasks: number) => Promise<DrainCpu>> {
  const redis0 = await redisCpuMicros(admin);
  const node0 = process.cpuUsage();
  return async (tasks) => {
    const node = process.cpuUsage(node0);
    return { node: (node.user + node.system) / tasks, redis: ((await redisCpuMicros(admin)) - redis0) / tasks };
  };
}

// ---- EverTask ---------------------------------------------------------------------------------

function storedTask(i: number, now: number, auditLevel: AuditLevel): StoredTask {
  return newStoredTask({ id: uuidv7(now), name: 'noop', payload: JSON.stringify({ i }), createdAt: now, auditLevel });
}

function everTaskEngine(bench: Bench, handler: (p: { i: number }) => void, auditLevel: AuditLevel) {
  const noop = defineTask({ name: 'noop', handler: async (p: { i: number }) => handler(p) });
  const storage = new RedisStorage({ url: bench.url, prefix: PREFIX });
  const engine = new EverTask({ storage, tasks: [noop], logger: silentLogger, queues: { default: { concurrency: CONCURRENCY } }, defaults: { auditLevel } });
  return { noop, storage, engine };
}

/** Tasks stored, and those not yet completed, read from the status indexes. */
async function counts(storage: RedisStorage): Promise<{ all: number; unfinished: number }> {
  let all = 0;
  let unfinished = 0;
  for (const cell of await storage.count()) {
    all += cell.count;
    if (cell.status !== 'completed') unfinished += cell.count;
  }
  return { all, unfinished };
}

async function everTaskDrain(bench: Bench, auditLevel: AuditLevel): Promise<{ rate: number; cpu: DrainCpu }> {
  await flush(bench);
  let handled = 0;
  const { engine, storage } = everTaskEngine(bench, () => void handled++, auditLevel);
  await storage.open();
  const now = Date.now();
  for (let i = 0; i < DRAIN; i += BULK_CALL) {
    await storage.add(Array.from({ length: BULK_CALL }, (_, j) => storedTask(i + j, now, auditLevel)), { audit: auditLevel === 'full' });
  }
  const meter = await cpuMeter(bench.admin);
  const started = performance.now();
  await engine.start();
  await untilDrained(async () => (await counts(storage)).unfinished, () => handled, DRAIN);
  const rate = DRAIN / ((performance.now() - started) / 1000);
  const cpu = await meter(DRAIN);
  await engine.stop({ closeStorage: true });
  return { rate, cpu };
}

function everTaskPeer(bench: Bench): Peer & { drainFull(): Promise<number> } {
  const enqueuePhase = async (kind: 'bulk' | 'single', delay?: string): Promise<number> => {
    await flush(bench);
    const e = everTaskEngine(bench, () => undefined, 'none');
    await e.engine.start();
    const options = delay === undefined ? {} : { delay };
    let rate: number;
    if (kind === 'bulk') {
      const started = performance.now();
      for (let i = 0; i < BULK; i += BULK_CALL) {
        await e.engine.dispatchMany(e.noop, Array.from({ length: BULK_CALL }, (_, j) => ({ i: i + j })), options);
      }
      rate = BULK / ((performance.now() - started) / 1000);
    } else {
      rate = await producers(SINGLE, (i) => e.engine.dispatch(e.noop, { i }, options));
    }
    assertCount(`evertask ${kind}`, (await counts(e.storage)).all, kind === 'bulk' ? BULK : SINGLE);
    await e.engine.stop({ closeStorage: true });
    return rate;
  };
  return {
    library: 'evertask (RedisStorage)',
    drainFull: async () => (await everTaskDrain(bench, 'full')).rate,
    async run() {
      const bulk = await enqueuePhase('bulk');
      const single = await enqueuePhase('single');
      // the same two enqueue phases with nothing running meanwhile (tasks due in a minute), as BullMQ enqueues
      const bulkOnly = await enqueuePhase('bulk', '1m');
      const singleOnly = await enqueuePhase('single', '1m');
      const { rate: drain, cpu } = await everTaskDrain(bench, 'none');
      await flush(bench);
      const sentAt: number[] = [];
      const latencies: number[] = [];
      const e = everTaskEngine(bench, (p) => void latencies.push(performance.now() - (sentAt[p.i] as number)), 'none');
      await e.engine.start();
      const latency = await latencyRun((i) => e.engine.dispatch(e.noop, { i }), sentAt, latencies);
      await e.engine.stop({ closeStorage: true });
      return { bulk, single, drain, latency, bulkOnly, singleOnly, cpu };
    },
  };
}

// ---- BullMQ -----------------------------------------------------------------------------------

function bullPeer(bench: Bench, { Queue, Worker }: BullMQModule): Peer {
  const url = new URL(bench.url);
  const connection: BullConnection = { host: url.hostname, port: Number(url.port) };
  const fresh = async () => {
    await flush(bench);
    const queue = new Queue('bench', { connection });
    await queue.waitUntilReady();
    return queue;
  };
  const total = async (queue: InstanceType<BullMQModule['Queue']>, ...types: string[]): Promise<number> =>
    Object.values(await queue.getJobCounts(...types)).reduce((sum, n) => sum + n, 0);
  const STATES = ['wait', 'active', 'delayed', 'prioritized', 'paused', 'completed', 'failed'];
  const UNFINISHED = ['wait', 'active', 'delayed', 'prioritized', 'paused'];
  const addAll = async (queue: InstanceType<BullMQModule['Queue']>, n: number): Promise<void> => {
    for (let i = 0; i < n; i += BULK_CALL) await queue.addBulk(Array.from({ length: BULK_CALL }, (_, j) => ({ name: 'noop', data: { i: i + j } })));
  };
  const worker = async (processor: (job: { data: { i: number } }) => Promise<void>) => {
    const w = new Worker('bench', processor, { connection, concurrency: CONCURRENCY });
    w.on('error', (error) => console.error(`[bullmq] ${String(error)}`));
    await w.waitUntilReady();
    return w;
  };
  return {
    library: `bullmq ${peerVersion('bullmq')}`,
    async run() {
      let queue = await fresh();
      let started = performance.now();
      await addAll(queue, BULK);
      const bulk = BULK / ((performance.now() - started) / 1000);
      assertCount('bullmq bulk', await total(queue, ...STATES), BULK);
      await queue.close();

      queue = await fresh();
      const q = queue;
      const single = await producers(SINGLE, (i) => q.add('noop', { i }));
      assertCount('bullmq single', await total(queue, ...STATES), SINGLE);
      await queue.close();

      queue = await fresh();
      await addAll(queue, DRAIN);
      let handled = 0;
      const meter = await cpuMeter(bench.admin);
      started = performance.now();
      let w = await worker(async () => void handled++);
      const drained = queue;
      await untilDrained(() => total(drained, ...UNFINISHED), () => handled, DRAIN);
      const drain = DRAIN / ((performance.now() - started) / 1000);
      const cpu = await meter(DRAIN);
      await w.close();
      await queue.close();

      queue = await fresh();
      const sentAt: number[] = [];
      const latencies: number[] = [];
      w = await worker(async (job) => void latencies.push(performance.now() - (sentAt[job.data.i] as number)));
      const lq = queue;
      const latency = await latencyRun((i) => lq.add('noop', { i }), sentAt, latencies);
      await w.close();
      await queue.close();
      return { bulk, single, drain, latency, cpu };
    },
  };
}

// ---- the suite --------------------------------------------------------------------------------

/** Runs the comparison `runs` times (alternating the library order) and returns the median rows. */
export async function redisRows(runs: number, log: (line: string) => void): Promise<Row[]> {
  // a server of the run's own, without persistence (FLUSHALL between phases is safe on it)
  const server = new ThrowawayRedis(['--appendonly', 'no']);
  await server.start();
  const admin = new Redis(server.url);
  const bench: Bench = { url: server.url, admin };
  const info = String(await admin.info('server'));
  log(`Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'} (dedicated, no persistence) at ${server.url}, Node ${process.version}`);
  const ours = everTaskPeer(bench);
  const peers: Peer[] = [ours, bullPeer(bench, loadBullMQ())];
  const results = new Map<string, RedisResults[]>(peers.map((p) => [p.library, []]));
  const drainFull: number[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      const order = r % 2 === 0 ? peers : [...peers].reverse();
      for (const peer of order) {
        const res = await peer.run();
        (results.get(peer.library) as RedisResults[]).push(res);
        log(
          `  run ${r + 1}: ${peer.library.padEnd(24)} bulk ${Math.round(res.bulk)}/s, single ${Math.round(res.single)}/s, drain ${Math.round(res.drain)}/s, ` +
            `latency p50 ${res.latency.p50.toFixed(2)} / p95 ${res.latency.p95.toFixed(2)} / p99 ${res.latency.p99.toFixed(2)} ms` +
            `; drain CPU ${res.cpu.node.toFixed(1)} µs/task here + ${res.cpu.redis.toFixed(1)} in Redis` +
            (res.bulkOnly === undefined ? '' : `; enqueue only: bulk ${Math.round(res.bulkOnly)}/s, single ${Math.round(res.singleOnly ?? 0)}/s`),
        );
      }
      drainFull.push(await ours.drainFull());
      log(`  run ${r + 1}: evertask drain with audit full ${Math.round(drainFull.at(-1) as number)}/s`);
    }
  } finally {
    admin.disconnect();
    await server.destroy();
  }
  const rows: Row[] = [];
  const add = (scenario: string, library: string, metric: string, unit: string, values: number[]) =>
    rows.push({ scenario, library, metric, unit, value: median(values), runs: values });
  const of = (library: string) => results.get(library) as RedisResults[];
  for (const [scenario, pick] of [
    [S.bulk, (x: Results) => x.bulk],
    [S.single, (x: Results) => x.single],
    [S.drain, (x: Results) => x.drain],
  ] as const) {
    for (const peer of peers) add(scenario, peer.library, 'throughput', 'tasks/s', of(peer.library).map(pick));
  }
  add(S.bulk, 'evertask (enqueue only: delay 1m)', 'throughput', 'tasks/s', of(ours.library).map((x) => x.bulkOnly ?? 0));
  add(S.single, 'evertask (enqueue only: delay 1m)', 'throughput', 'tasks/s', of(ours.library).map((x) => x.singleOnly ?? 0));
  add(S.drainFull, 'evertask (RedisStorage, audit full)', 'throughput', 'tasks/s', drainFull);
  for (const peer of peers.slice(1)) add(S.drainFull, peer.library, 'throughput', 'tasks/s', of(peer.library).map((x) => x.drain));
  for (const [metric, pick] of [
    ['CPU, this process', (x: RedisResults) => x.cpu.node],
    ['CPU, Redis', (x: RedisResults) => x.cpu.redis],
    ['CPU, both', (x: RedisResults) => x.cpu.node + x.cpu.redis],
  ] as const) {
    for (const peer of peers) add(S.drainCpu, peer.library, metric, 'µs/task', of(peer.library).map(pick));
  }
  for (const metric of ['p50', 'p95', 'p99'] as const) {
    for (const peer of peers) add(S.latency, peer.library, metric, 'ms', of(peer.library).map((x) => x.latency[metric]));
  }
  return rows;
}
