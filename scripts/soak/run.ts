/**
 * `npm run soak -- --minutes 30 [--storage sqlite,postgres] [--rate 100]`: a steady mixed load on
 * each storage in turn (see run-soak.ts), sampled every second; writes a report folder (a markdown
 * table, the samples, an SVG plot per storage) and prints its path.
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseSoakArgs, SoakOptionError } from './soak-options.js';
import { runSoak, type SoakResult } from './run-soak.js';
import { summaryTable, writeSoakReport } from './soak-report.js';

async function main(): Promise<void> {
  const options = parseSoakArgs(process.argv.slice(2));
  const results: SoakResult[] = [];
  const load = loadavg()[0] ?? 0;
  for (const storage of options.storages) {
    console.error(`[soak] ${storage}: ${options.durationSeconds} s at ${options.rate} tasks/s`);
    const result = await runSoak(storage, options, (line) => console.error(line));
    results.push(result);
    console.error(summaryTable(result.summary));
    console.error(result.violations.length === 0 ? `[soak] ${storage}: within the bounds` : `[soak] ${storage}: OUT OF BOUNDS: ${result.violations.join('; ')}`);
  }
  const note =
    `Node ${process.version}, ${availableParallelism()} CPUs, load average ${load.toFixed(2)} at the start ` +
    `(other work on the machine is included in the figures). Live heap measured after a full GC every ${options.liveHeapEverySeconds} s.`;
  const dir = options.outDir ?? `soak-report/${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const path = writeSoakReport(dir, results, note);
  console.error(`[soak] report: ${path}`);
  if (options.json) console.log(JSON.stringify(results.map(({ samples: _samples, ...rest }) => rest)));
}

main().catch((error: unknown) => {
  console.error(error instanceof SoakOptionError ? `[soak] ${error.message}` : error);
  process.exitCode = 1;
});
