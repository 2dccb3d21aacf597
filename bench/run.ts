/**
 * `npm run bench`: measures EverTask side by side with peer libraries on this machine, in one run.
 * Every figure is the median of `--runs` runs (default 3). Results are printed and saved under
 * `.bench-results/` as Markdown and JSON.
 *
 *   npm run bench -- --only memory --runs 5
 *   npm run bench -- --only recurring
 */
import { parseArgs } from 'node:util';
import { Report } from './lib/report.js';
import { runMemoryEngine } from './scenarios/memory-engine.js';
import { runRecurring } from './scenarios/recurring.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    runs: { type: 'string', default: '3' },
  },
});

const suites: Record<string, (report: Report, runs: number) => Promise<void>> = {
  memory: runMemoryEngine,
  recurring: runRecurring,
};

const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer; received ${values.runs}`);
const selected = values.only?.length ? values.only : Object.keys(suites);
for (const name of selected) if (!suites[name]) throw new Error(`Unknown suite "${name}"; choose from ${Object.keys(suites).join(', ')}`);

const report = new Report();
for (const name of selected) {
  console.log(`\n## ${name}`);
  await (suites[name] as (r: Report, n: number) => Promise<void>)(report, runs);
}
console.log('\n' + report.markdown());
report.save(new URL('../.bench-results', import.meta.url).pathname);
