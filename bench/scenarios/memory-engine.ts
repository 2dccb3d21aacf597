/**
 * Suite `memory`: the engine on `MemoryStorage`. The headline rows are what users write: `async`
 * handlers and one `dispatch()` per task from 1,000 concurrent callers, 100,000 tasks drained at
 * concurrency 16, audit `none` and `full`; then the dispatch→start latency of an idle engine.
 * The synchronous-handler and `dispatchMany` paths follow as extra rows. Each drain is preceded by
 * one discarded warm-up of 20,000, so that the measured runs see optimised code, as a long-running
 * service does.
 */
import * as evertask from 'evertask';
import { median, percentile, summarize } from '../lib/stats.js';
import type { Report } from '../lib/report.js';
import { drainOnce, idleLatencyOnce, type DrainSpec } from '../lib/memory-workload.js';

const LIBRARY = 'evertask (MemoryStorage)';
const COUNT = 100_000;

interface Variant {
  label: string;
  spec: Omit<DrainSpec, 'audit' | 'count'>;
}

const VARIANTS: Variant[] = [
  { label: 'async handler, dispatch() × 1,000 in flight', spec: { handler: 'async', dispatch: 'single', concurrency: 16, inFlight: 1000 } },
  { label: 'sync handler, dispatchMany by 1,000', spec: { handler: 'sync', dispatch: 'many', concurrency: 16, inFlight: 0 } },
  { label: 'async handler, dispatchMany by 1,000', spec: { handler: 'async', dispatch: 'many', concurrency: 16, inFlight: 0 } },
  { label: 'sync handler, dispatch() × 1,000 in flight', spec: { handler: 'sync', dispatch: 'single', concurrency: 16, inFlight: 1000 } },
];

export async function runMemoryEngine(report: Report, runs: number): Promise<void> {
  for (const [index, variant] of VARIANTS.entries()) {
    for (const audit of ['none', 'full'] as const) {
      await drainOnce(evertask, { ...variant.spec, audit, count: 20_000 });
      const rates: number[] = [];
      const loadedP99: number[] = [];
      for (let r = 0; r < runs; r++) {
        const result = await drainOnce(evertask, { ...variant.spec, audit, count: COUNT });
        rates.push(result.rate);
        loadedP99.push(percentile(Array.from(result.startLatencies), 99));
      }
      const scenario = `memory: ${variant.label}, 100k @ 16 (audit ${audit})`;
      report.add({ scenario, library: LIBRARY, metric: 'throughput', value: median(rates), unit: 'tasks/s', runs: rates });
      // the headline also reports how long a task waits under that load (≈ in flight ÷ rate)
      if (index === 0) report.add({ scenario, library: LIBRARY, metric: 'start p99 (loaded)', value: median(loadedP99), unit: 'ms', runs: loadedP99 });
    }
  }
  for (const handler of ['async', 'sync'] as const) {
    const p50s: number[] = [];
    const p99s: number[] = [];
    for (let r = 0; r < runs; r++) {
      const s = summarize(await idleLatencyOnce(evertask, handler, 1000, 2));
      p50s.push(s.p50);
      p99s.push(s.p99);
    }
    const scenario = `memory: dispatch→start latency, ${handler} handler (1000 × 2 ms apart)`;
    report.add({ scenario, library: LIBRARY, metric: 'p50', value: median(p50s), unit: 'ms', runs: p50s });
    report.add({ scenario, library: LIBRARY, metric: 'p99', value: median(p99s), unit: 'ms', runs: p99s });
  }
}
