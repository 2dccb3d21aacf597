/**
 * The workload of the database suites (postgres, mysql), shared by every library measured, and
 * EverTask's side of it over any storage (`EverTaskBackend`):
 * - bulk enqueue: 20 sequential bulk calls of 1,000;
 * - single enqueue: 5,000 from 16 concurrent producers, each awaiting one enqueue at a time;
 * - drain: 20,000 pre-filled tasks at concurrency 16, clock from the worker's start until the
 *   backend reports none unfinished (polled every 50 ms, every 5 ms once the handlers reached 98 %);
 * - latency: an idle worker (started 1 s before), 500 enqueues 5 ms apart, from just before the
 *   enqueue call to the first line of the handler; p50/p95/p99.
 */
import { defineTask, EverTask, newStoredTask, silentLogger, uuidv7, type AuditLevel, type EventFeedMode, type StoredTask, type TaskStorage } from 'evertask';
import { sleep, summarize } from './stats.js';

export const BULK = 20_000;
export const BULK_CALL = 1_000;
export const SINGLE = 5_000;
export const PRODUCERS = 16;
export const DRAIN = 20_000;
export const CONCURRENCY = 16;
export const LATENCY_N = 500;
export const LATENCY_SPACING_MS = 5;
/** Connections of every library's pool. */
export const POOL = 20;

/** The scenario names of a suite (`postgres: bulk enqueue 20k …`). */
export function scenarioNames(suite: string) {
  return {
    bulk: `${suite}: bulk enqueue ${BULK / 1000}k (${BULK / BULK_CALL} × ${BULK_CALL.toLocaleString('en-US')})`,
    single: `${suite}: single enqueue ${SINGLE / 1000}k (${PRODUCERS} producers)`,
    drain: `${suite}: drain ${DRAIN / 1000}k @ concurrency ${CONCURRENCY}`,
    drainFull: `${suite}: drain ${DRAIN / 1000}k @ ${CONCURRENCY}, EverTask audit full`,
    latency: `${suite}: dispatch→start latency (${LATENCY_N} × ${LATENCY_SPACING_MS} ms)`,
  };
}

export interface Results {
  bulk: number;
  single: number;
  drain: number;
  latency: { p50: number; p95: number; p99: number };
  /** EverTask only: the enqueue phases with nothing running meanwhile. */
  bulkOnly?: number;
  singleOnly?: number;
}

export interface Peer {
  library: string;
  run(): Promise<Results>;
}

/** Run `r` (from 0) of a comparison: every peer once, the order reversed every other run; each result logged and kept by library. */
export async function runPeersOnce(peers: readonly Peer[], r: number, results: Map<string, Results[]>, log: (line: string) => void): Promise<void> {
  for (const peer of r % 2 === 0 ? peers : [...peers].reverse()) {
    const res = await peer.run();
    (results.get(peer.library) as Results[]).push(res);
    log(
      `  run ${r + 1}: ${peer.library.padEnd(28)} bulk ${Math.round(res.bulk)}/s, single ${Math.round(res.single)}/s, drain ${Math.round(res.drain)}/s, ` +
        `latency p50 ${res.latency.p50.toFixed(2)} / p95 ${res.latency.p95.toFixed(2)} / p99 ${res.latency.p99.toFixed(2)} ms`,
    );
  }
}

/** Waits until `unfinished()` reports none, polling every 50 ms, then every 5 ms once `handled()` reached 98 %. */
export async function untilDrained(unfinished: () => Promise<number>, handled: () => number, total: number): Promise<void> {
  const deadline = performance.now() + 120_000;
  for (;;) {
    if ((await unfinished()) === 0) return;
    if (performance.now() > deadline) throw new Error(`drain did not finish: ${handled()} of ${total} handled`);
    await sleep(handled() >= total * 0.98 ? 5 : 50);
  }
}

/** `total` enqueues from `PRODUCERS` concurrent producers; enqueues per second. */
export async function producers(total: number, enqueue: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: PRODUCERS }, async () => {
      while (next < total) await enqueue(next++);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

/** The latency phase: `enqueue(i)` at `sentAt[i]`; the handler pushes to `latencies`. */
export async function latencyRun(enqueue: (i: number) => Promise<unknown>, sentAt: number[], latencies: number[]): Promise<Results['latency']> {
  await sleep(1000);
  const t0 = performance.now();
  for (let i = 0; i < LATENCY_N; i++) {
    const wait = t0 + i * LATENCY_SPACING_MS - performance.now();
    if (wait > 0) await sleep(wait);
    sentAt[i] = performance.now();
    await enqueue(i);
  }
  const deadline = performance.now() + 30_000;
  while (latencies.length < LATENCY_N) {
    if (performance.now() > deadline) throw new Error(`latency: ${latencies.length} of ${LATENCY_N} arrived`);
    await sleep(5);
  }
  return summarize(latencies);
}

export function assertCount(what: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`${what}: expected ${expected} rows in the backend, found ${actual}`);
}

// ---- EverTask ---------------------------------------------------------------------------------

/** Where EverTask's side of a suite stores its tasks. */
export interface EverTaskBackend {
  /** The row label, e.g. `evertask (PostgresStorage)`. */
  library: string;
  /** Empties the backend (drops the schema or database of the bench). */
  reset(): Promise<void>;
  /** A new storage on the backend (pool of `POOL`). */
  storage(): TaskStorage;
  /** Tasks stored. */
  countAll(): Promise<number>;
  /** Tasks not completed. */
  countUnfinished(): Promise<number>;
}

/** A stored task as `dispatch` makes it (for pre-filling the drain without an engine running it). */
function storedTask(i: number, now: number, auditLevel: AuditLevel): StoredTask {
  return newStoredTask({ id: uuidv7(now), name: 'noop', payload: JSON.stringify({ i }), createdAt: now, auditLevel });
}

/** Storage statements issued by the last EverTask phase (to show the coalescing at work). */
export const statements = { add: 0, transition: 0, claimDue: 0, notify: 0 };

/** Counts the calls of the storage's write, claim and notify methods into `statements`. */
function countStatements(storage: TaskStorage): void {
  statements.add = statements.transition = statements.claimDue = statements.notify = 0;
  for (const op of ['add', 'transition', 'claimDue'] as const) {
    const original = storage[op].bind(storage) as (...args: unknown[]) => Promise<unknown>;
    (storage as unknown as Record<string, unknown>)[op] = (...args: unknown[]) => {
      statements[op]++;
      return original(...args);
    };
  }
  const channel = storage.notifications as { notify: (n: unknown) => Promise<void> } | undefined;
  if (channel === undefined) return;
  const notify = channel.notify.bind(channel);
  channel.notify = (n) => {
    statements.notify++;
    return notify(n);
  };
}

/** An engine whose no-op handler is `async` (what users write, and what the peers' are), or plain with `sync`. */
function everTaskEngine(backend: EverTaskBackend, handler: (p: { i: number }) => void, auditLevel: AuditLevel, kind: 'async' | 'sync' = 'async', eventFeed: EventFeedMode = 'when-watched') {
  const noop = defineTask({ name: 'noop', handler: kind === 'async' ? async (p: { i: number }) => handler(p) : handler });
  const storage = backend.storage();
  countStatements(storage);
  const engine = new EverTask({
    storage,
    tasks: [noop],
    logger: silentLogger,
    queues: { default: { concurrency: CONCURRENCY } },
    defaults: { auditLevel },
    eventFeed,
  });
  return { noop, storage, engine };
}

/** The drain phase on EverTask: tasks per second. */
export async function everTaskDrain(backend: EverTaskBackend, auditLevel: AuditLevel, kind: 'async' | 'sync' = 'async', eventFeed: EventFeedMode = 'when-watched'): Promise<number> {
  await backend.reset();
  let handled = 0;
  const { engine, storage } = everTaskEngine(backend, () => void handled++, auditLevel, kind, eventFeed);
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
  await untilDrained(() => backend.countUnfinished(), () => handled, DRAIN);
  const rate = DRAIN / ((performance.now() - started) / 1000);
  await engine.stop({ closeStorage: true });
  return rate;
}

/** EverTask's run of the workload on `backend`, with its statement counts logged. */
export function everTaskPeer(backend: EverTaskBackend, log: (line: string) => void): Peer & { drainFull(): Promise<number>; drainSync(): Promise<number> } {
  const short = backend.library.replace(/^evertask \((.*)\)$/, '$1');
  return {
    library: backend.library,
    drainFull: () => everTaskDrain(backend, 'full'),
    drainSync: () => everTaskDrain(backend, 'none', 'sync'),
    async run() {
      const fresh = async () => {
        await backend.reset();
        const e = everTaskEngine(backend, () => undefined, 'none');
        await e.engine.start();
        return e;
      };
      // bulk
      let e = await fresh();
      let started = performance.now();
      for (let i = 0; i < BULK; i += BULK_CALL) {
        await e.engine.dispatchMany(e.noop, Array.from({ length: BULK_CALL }, (_, j) => ({ i: i + j })));
      }
      const bulk = BULK / ((performance.now() - started) / 1000);
      assertCount(`${short} bulk`, await backend.countAll(), BULK);
      await e.engine.stop({ closeStorage: true });

      // single, 16 producers
      e = await fresh();
      const single = await producers(SINGLE, (i) => e.engine.dispatch(e.noop, { i }));
      assertCount(`${short} single`, await backend.countAll(), SINGLE);
      const singleInserts = statements.add;
      await e.engine.stop({ closeStorage: true });

      // the same two enqueue phases with nothing running meanwhile (tasks due in a minute), as the peers enqueue
      e = await fresh();
      started = performance.now();
      for (let i = 0; i < BULK; i += BULK_CALL) {
        await e.engine.dispatchMany(e.noop, Array.from({ length: BULK_CALL }, (_, j) => ({ i: i + j })), { delay: '1m' });
      }
      const bulkOnly = BULK / ((performance.now() - started) / 1000);
      await e.engine.stop({ closeStorage: true });
      e = await fresh();
      const singleOnly = await producers(SINGLE, (i) => e.engine.dispatch(e.noop, { i }, { delay: '1m' }));
      const singleOnlyInserts = statements.add;
      assertCount(`${short} single (enqueue only)`, await backend.countAll(), SINGLE);
      await e.engine.stop({ closeStorage: true });
      log(`    ${short}: ${SINGLE} single dispatches from ${PRODUCERS} producers → ${singleInserts} insert statements (${singleOnlyInserts} when delayed)`);

      const drain = await everTaskDrain(backend, 'none');
      log(`    ${short} drain: ${statements.claimDue} claim and ${statements.transition} transition statements for ${DRAIN} tasks`);

      // latency
      await backend.reset();
      const sentAt: number[] = [];
      const latencies: number[] = [];
      e = everTaskEngine(backend, (p) => void latencies.push(performance.now() - (sentAt[p.i] as number)), 'none');
      await e.engine.start();
      const latency = await latencyRun((i) => e.engine.dispatch(e.noop, { i }), sentAt, latencies);
      await e.engine.stop({ closeStorage: true });
      await backend.reset();
      return { bulk, single, drain, latency, bulkOnly, singleOnly };
    },
  };
}
