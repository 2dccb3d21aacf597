import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { SoakSample } from './soak-stats.js';

/** What the sampler reads besides the process: finished tasks so far and the storage's task count. */
export interface SamplerSources {
  finished(): number;
  storedTasks(): Promise<number>;
}

/** Options of `startSampler`. */
export interface SamplerOptions {
  /** Seconds between two full collections measuring the live heap; needs `node --expose-gc`. */
  liveHeapEverySeconds: number;
  /** Seconds between two counts of the stored tasks. @defaultValue 10 */
  storedEverySeconds?: number;
}

const MB = 1024 * 1024;

/**
 * Samples RSS, heap used, event-loop delay (p99 and max over the second) and throughput every
 * second; every `liveHeapEverySeconds` a full GC first measures the live heap. `stop()` returns the
 * samples.
 */
export function startSampler(sources: SamplerSources, options: SamplerOptions): { stop(): Promise<SoakSample[]> } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('The soak sampler measures the live heap with a full GC: run node with --expose-gc (npm run soak does).');
  const storedEvery = options.storedEverySeconds ?? 10;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const samples: SoakSample[] = [];
  const started = performance.now();
  let lastFinished = sources.finished();
  let tick = 0;
  let pendingCount: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    tick++;
    const lagP99Ms = delay.percentile(99) / 1e6;
    const lagMaxMs = delay.max / 1e6;
    delay.reset();
    const finished = sources.finished();
    const heapUsedMb = process.memoryUsage().heapUsed / MB;
    const sample: SoakSample = {
      t: Math.round((performance.now() - started) / 100) / 10,
      rssMb: process.memoryUsage.rss() / MB,
      heapUsedMb,
      lagP99Ms: Number.isFinite(lagP99Ms) ? lagP99Ms : 0,
      lagMaxMs: Number.isFinite(lagMaxMs) ? lagMaxMs : 0,
      throughput: finished - lastFinished,
    };
    lastFinished = finished;
    if (tick % options.liveHeapEverySeconds === 0) {
      gc();
      sample.liveHeapMb = process.memoryUsage().heapUsed / MB;
      // the collection's pause is not the engine's lag: leave it out of the next second
      delay.reset();
    }
    if (tick % storedEvery === 0) {
      pendingCount = sources.storedTasks().then(
        (n) => void (sample.storedTasks = n),
        () => undefined,
      );
    }
    samples.push(sample);
  }, 1000);
  return {
    async stop() {
      clearInterval(timer);
      delay.disable();
      await pendingCount;
      return samples;
    },
  };
}
