/**
 * The full chaos suite (issue 12): `npm run chaos [-- --storage sqlite,postgres --tasks 10000
 * --kills 8 --cuts 3 --restarts 2 --workers 4 --seed 1 --skew 2000 --lease 8000 --series 4]`, or
 * `--short` for the run of `npm test`. Runs each
 * storage in turn on a throwaway server of its own and prints the table of invariants; exits 1 on
 * any violation. See docs/guarantees.md ("What the chaos suite shows").
 */
import { parseArgs } from 'node:util';
import type { ChaosAdapter, ChaosOptions, ChaosResult } from '../packages/evertask/test/support/chaos/chaos-run.js';
import { SHORT_CHAOS, runChaos } from '../packages/evertask/test/support/chaos/chaos-run.js';
import { chaosTable, describeViolations } from '../packages/evertask/test/support/chaos/chaos-report.js';
import { mysqlChaos } from '../packages/mysql/test/chaos/chaos-adapter.js';
import { postgresChaos } from '../packages/postgres/test/chaos/chaos-adapter.js';
import { redisChaos } from '../packages/redis/test/chaos/chaos-adapter.js';
import { sqliteChaos } from '../packages/sqlite/test/chaos/chaos-adapter.js';

const ADAPTERS: Record<string, () => Promise<ChaosAdapter<unknown>>> = {
  sqlite: async () => sqliteChaos as ChaosAdapter<unknown>,
  postgres: async () => postgresChaos as ChaosAdapter<unknown>,
  mysql: async () => mysqlChaos as ChaosAdapter<unknown>,
  redis: async () => redisChaos as ChaosAdapter<unknown>,
};

const { values } = parseArgs({
  options: {
    storage: { type: 'string', default: Object.keys(ADAPTERS).join(',') },
    tasks: { type: 'string', default: '10000' },
    workers: { type: 'string', default: '4' },
    kills: { type: 'string', default: '8' },
    cuts: { type: 'string', default: '3' },
    restarts: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    skew: { type: 'string', default: '2000' },
    lease: { type: 'string', default: '8000' },
    series: { type: 'string', default: '4' },
    short: { type: 'boolean', default: false },
  },
});

function count(name: keyof typeof values, min: number): number {
  const raw = values[name];
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer of at least ${min}; got ${JSON.stringify(raw)}.`);
  return n;
}

const storages = String(values.storage).split(',').filter((s) => s !== '');
for (const s of storages) {
  if (!(s in ADAPTERS)) throw new Error(`--storage ${JSON.stringify(s)} is not one of ${Object.keys(ADAPTERS).join(', ')}.`);
}
const tasks = count('tasks', 10);
const options: ChaosOptions = {
  tasks,
  workers: count('workers', 2),
  kills: count('kills', 0),
  cuts: count('cuts', 0),
  restarts: count('restarts', 0),
  seed: count('seed', 0),
  series: count('series', 0),
  // every series runs each second until the end of the work (about 4 ms a task over the workers)
  seriesRuns: Math.max(5, Math.round(tasks / 250)),
  skewMs: count('skew', 0),
  leaseMs: count('lease', 1000),
  cutMs: 3000,
  settleTimeoutMs: Math.max(120_000, tasks * 40),
  log: (line) => console.info(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
};

// --short: the run of npm test (its sizes; --seed still applies)
const chosen: ChaosOptions = values.short ? { ...SHORT_CHAOS, seed: options.seed, log: options.log } : options;

const results: ChaosResult[] = [];
for (const s of storages) {
  const adapter = await (ADAPTERS[s] as () => Promise<ChaosAdapter<unknown>>)();
  results.push(await runChaos(adapter, chosen));
  const last = results.at(-1) as ChaosResult;
  if (last.violations.length > 0) console.error(describeViolations(last));
}
console.info(`\n${chaosTable(results)}`);
process.exitCode = results.some((r) => r.violations.length > 0) ? 1 : 0;
