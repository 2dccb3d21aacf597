/**
 * One measurement of `compare-builds.ts`, in a fresh process, against the build it is given:
 *   tsx lib/memory-child.ts <path of evertask's dist/index.js> drain <async|sync> <single|many> <none|full>
 *   tsx lib/memory-child.ts <path of evertask's dist/index.js> latency <async|sync>
 * Prints one JSON line.
 */
import { pathToFileURL } from 'node:url';
import { drainOnce, idleLatencyOnce, type DrainSpec, type Evertask } from './memory-workload.js';
import { percentile, summarize } from './stats.js';

const [entry, kind, handler, dispatch, audit] = process.argv.slice(2);
if (!entry || (kind !== 'drain' && kind !== 'latency') || (handler !== 'async' && handler !== 'sync')) {
  throw new Error('usage: memory-child.ts <dist/index.js> drain <async|sync> <single|many> <none|full> | latency <async|sync>');
}
const et = (await import(pathToFileURL(entry).href)) as Evertask;
if (kind === 'latency') {
  const s = summarize(await idleLatencyOnce(et, handler, 1000, 2));
  console.log(JSON.stringify({ p50: s.p50, p99: s.p99 }));
} else {
  const spec: DrainSpec = {
    handler,
    dispatch: dispatch === 'many' ? 'many' : 'single',
    audit: audit === 'full' ? 'full' : 'none',
    count: 100_000,
    concurrency: 16,
    inFlight: 1000,
  };
  await drainOnce(et, { ...spec, count: 20_000 });
  const result = await drainOnce(et, spec);
  console.log(JSON.stringify({ rate: result.rate, cpuRate: result.cpuRate, loadedP99: percentile(Array.from(result.startLatencies), 99) }));
}
