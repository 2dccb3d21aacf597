/**
 * The MemoryStorage workloads of the `memory` suite, written against an `evertask` module passed
 * in, so that `compare-builds.ts` can run the very same code on two builds side by side.
 */
import type * as EverTaskModule from 'evertask';
import { sleep } from './stats.js';

export type Evertask = typeof EverTaskModule;

export interface DrainSpec {
  /** `async`: `async (p) => {}`, what users write; `sync`: a plain function. */
  handler: 'async' | 'sync';
  /** `single`: one `dispatch()` per task from `inFlight` concurrent callers; `many`: `dispatchMany` by 1,000. */
  dispatch: 'single' | 'many';
  audit: 'none' | 'full';
  count: number;
  concurrency: number;
  /** Concurrent `dispatch()` callers (single only). */
  inFlight: number;
  /** The engine's `instrumentation` option (suite `otel`); none when absent. */
  instrumentation?: EverTaskModule.TaskInstrumentation;
}

export interface DrainResult {
  /** Tasks per second, from the first dispatch to the last completion. */
  rate: number;
  /** Tasks per CPU-second of the process (less sensitive to other jobs on the machine). */
  cpuRate: number;
  /** Per task: from just before its dispatch call to the first line of its handler, ms. */
  startLatencies: Float64Array;
}

/** Dispatches `count` no-op tasks on a running engine and waits for the last completion. */
export async function drainOnce(et: Evertask, spec: DrainSpec): Promise<DrainResult> {
  const { count } = spec;
  const sentAt = new Float64Array(count);
  const startLatencies = new Float64Array(count);
  const record = (p: { i: number }) => {
    startLatencies[p.i] = performance.now() - (sentAt[p.i] as number);
  };
  const noop =
    spec.handler === 'async'
      ? et.defineTask({ name: 'noop', handler: async (p: { i: number }) => record(p) })
      : et.defineTask({ name: 'noop', handler: (p: { i: number }) => record(p) });
  const engine = new et.EverTask({
    storage: new et.MemoryStorage(),
    tasks: [noop],
    logger: et.silentLogger,
    queues: { default: { concurrency: spec.concurrency } },
    defaults: { auditLevel: spec.audit },
    ...(spec.instrumentation ? { instrumentation: spec.instrumentation } : {}),
  });
  await engine.start();
  let done = 0;
  let resolveDone!: () => void;
  const finished = new Promise<void>((resolve) => (resolveDone = resolve));
  engine.on('task:completed', () => {
    if (++done === count) resolveDone();
  });
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  if (spec.dispatch === 'single') {
    let next = 0;
    const caller = async () => {
      while (next < count) {
        const i = next++;
        sentAt[i] = performance.now();
        await engine.dispatch(noop, { i });
      }
    };
    await Promise.all(Array.from({ length: spec.inFlight }, caller));
  } else {
    for (let i = 0; i < count; i += 1000) {
      const chunk = Array.from({ length: Math.min(1000, count - i) }, (_, j) => ({ i: i + j }));
      const now = performance.now();
      for (const p of chunk) sentAt[p.i] = now;
      await engine.dispatchMany(noop, chunk);
    }
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await engine.stop();
  return { rate: count / seconds, cpuRate: count / ((cpu.user + cpu.system) / 1e6), startLatencies };
}

/**
 * Dispatch→start latency on an idle engine: `count` single dispatches `spacingMs` apart, from just
 * before the call to the first line of the handler (async or sync), ms.
 */
export async function idleLatencyOnce(et: Evertask, handler: 'async' | 'sync', count: number, spacingMs: number): Promise<number[]> {
  const sentAt = new Float64Array(count);
  const latencies: number[] = [];
  const record = (p: { i: number }) => void latencies.push(performance.now() - (sentAt[p.i] as number));
  const probe =
    handler === 'async'
      ? et.defineTask({ name: 'probe', handler: async (p: { i: number }) => record(p) })
      : et.defineTask({ name: 'probe', handler: (p: { i: number }) => record(p) });
  const engine = new et.EverTask({ storage: new et.MemoryStorage(), tasks: [probe], logger: et.silentLogger, queues: { default: { concurrency: 16 } }, defaults: { auditLevel: 'none' } });
  await engine.start();
  await sleep(200);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = t0 + i * spacingMs - performance.now();
    if (wait > 0) await sleep(wait);
    sentAt[i] = performance.now();
    await engine.dispatch(probe, { i });
  }
  while (latencies.length < count) await sleep(5);
  await engine.stop();
  return latencies;
}
