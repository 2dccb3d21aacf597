/**
 * `npm run bench:compare -- <checkout> [<checkout> ...] [--rounds 5]`: the `memory` suite's
 * headline on several builds side by side, interleaved (round r runs every build once, the order
 * reversed every other round, each measurement in a fresh process), so that a loaded machine
 * weighs on all of them alike. Prints the medians. Each checkout needs its `evertask` build:
 * `npm run build --workspace packages/evertask` in it. With a single checkout, this one is added.
 *
 *   git worktree add /tmp/before 9841e27 && (cd /tmp/before && npm ci && npm run build --workspace packages/evertask)
 *   npm run build --workspace packages/evertask && npm run bench:compare -- /tmp/before
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './lib/stats.js';

const { values, positionals } = parseArgs({ options: { rounds: { type: 'string' } }, allowPositionals: true });
const rounds = Number(values.rounds ?? '5');
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer; received ${values.rounds}`);
const here = fileURLToPath(new URL('.', import.meta.url));
const checkouts = positionals.map((p) => resolve(p));
if (checkouts.length === 1) checkouts.push(resolve(here, '..'));
if (checkouts.length < 2) throw new Error('usage: compare-builds.ts <checkout> [<checkout> ...] [--rounds 5]');
const entries = checkouts.map((c) => join(c, 'packages', 'evertask', 'dist', 'index.js'));
for (const entry of entries) {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build --workspace packages/evertask\` in that checkout first.`);
}

const measurements: { name: string; args: string[]; metrics: string[] }[] = [
  { name: 'async handler, dispatch() × 1,000 in flight, audit none', args: ['drain', 'async', 'single', 'none'], metrics: ['rate', 'cpuRate', 'loadedP99'] },
  { name: 'async handler, dispatch() × 1,000 in flight, audit full', args: ['drain', 'async', 'single', 'full'], metrics: ['rate', 'cpuRate', 'loadedP99'] },
  { name: 'sync handler, dispatchMany by 1,000, audit none', args: ['drain', 'sync', 'many', 'none'], metrics: ['rate', 'cpuRate'] },
  { name: 'dispatch→start latency, async handler, idle (1000 × 2 ms)', args: ['latency', 'async'], metrics: ['p50', 'p99'] },
];

const child = join(here, 'lib', 'memory-child.ts');
const tsx = join(here, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs');
console.log(`| measurement | metric | ${checkouts.join(' | ')} |`);
console.log(`|---|---|${checkouts.map(() => '---:').join('|')}|`);
for (const m of measurements) {
  const results = checkouts.map(() => [] as Record<string, number>[]);
  for (let r = 0; r < rounds; r++) {
    const order = checkouts.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) {
      const out = execFileSync(process.execPath, [tsx, child, entries[i] as string, ...m.args], { encoding: 'utf8' });
      results[i]?.push(JSON.parse(out.trim().split('\n').pop() as string) as Record<string, number>);
    }
  }
  for (const metric of m.metrics) {
    const cells = results.map((runs) => {
      const values = runs.map((x) => x[metric] as number);
      const shown = (v: number) => (metric === 'rate' || metric === 'cpuRate' ? Math.round(v).toLocaleString('en-US') : v.toFixed(2));
      return `${shown(median(values))} (${values.map(shown).join(', ')})`;
    });
    console.log(`| ${m.name} | ${metric === 'rate' ? 'tasks/s' : metric === 'cpuRate' ? 'tasks per CPU-s' : metric === 'loadedP99' ? 'start p99 ms (loaded)' : `${metric} ms`} | ${cells.join(' | ')} |`);
  }
}
