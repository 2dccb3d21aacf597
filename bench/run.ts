/**
 * `npm run bench`: measures EverTask side by side with peer libraries on this machine, in one run.
 * Every figure is the median of `--runs` runs (default 3). Results are printed and saved under
 * `.bench-results/` as Markdown and JSON.
 *
 *   npm run bench -- --only memory --runs 5
 *   npm run bench -- recurring         (suites and a run count also as plain words)
 */
import { parseArgs } from 'node:util';
import { Report } from './lib/report.js';
import { runKysely } from './scenarios/kysely.js';
import { runMemoryEngine } from './scenarios/memory-engine.js';
import { runMySql } from './scenarios/mysql.js';
import { runMonitor } from './scenarios/monitor.js';
import { runOpenTelemetry } from './scenarios/opentelemetry.js';
import { runPostgres } from './scenarios/postgres.js';
import { runRecurring } from './scenarios/recurring.js';
import { runRateLimit } from './scenarios/rate-limit.js';
import { runRedis } from './scenarios/redis.js';
import { runSqlite } from './scenarios/sqlite.js';

const { values, positionals } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    runs: { type: 'string' },
  },
  allowPositionals: true,
});

// Suite names and a run count are also taken as plain words (`npm run bench -- memory recurring 5`):
// an npm that swallows flags on the way (`--only` is also an npm setting, and `--runs 5` can
// arrive as a bare `5` with npm_config_runs=true) still gets the intended run.
const suiteNames: string[] = [...(values.only ?? [])];
let runsText = values.runs ?? (/^\d+$/.test(process.env.npm_config_runs ?? '') ? process.env.npm_config_runs : undefined);
for (const p of positionals) {
  if (/^\d+$/.test(p)) runsText ??= p;
  else suiteNames.push(...p.split(','));
}

const suites: Record<string, (report: Report, runs: number) => Promise<void>> = {
  kysely: runKysely,
  memory: runMemoryEngine,
  mysql: runMySql,
  monitor: runMonitor,
  otel: runOpenTelemetry,
  postgres: runPostgres,
  recurring: runRecurring,
  ratelimit: runRateLimit,
  redis: runRedis,
  sqlite: runSqlite,
};

const runs = Number(runsText ?? '3');
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer; received ${runsText}`);
const selected = suiteNames.length ? suiteNames : Object.keys(suites);
for (const name of selected) if (!suites[name]) throw new Error(`Unknown suite "${name}"; choose from ${Object.keys(suites).join(', ')}`);

const report = new Report();
for (const name of selected) {
  console.log(`\n## ${name}`);
  await (suites[name] as (r: Report, n: number) => Promise<void>)(report, runs);
}
console.log('\n' + report.markdown());
report.save(new URL('../.bench-results', import.meta.url).pathname);
