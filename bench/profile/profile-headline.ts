/**
 * `npm run bench:profile -- <dist/index.js of a build> <out.svg> [title]` (paths from the repo root): profiles the memory
 * headline (async handler, `dispatch()` × 1,000 in flight, 100,000 tasks, concurrency 16, audit
 * `none`) of that build after a 20,000-task warm-up, with the inspector in this process, and
 * writes its flame graph. The `.cpuprofile` is written beside it (open it in Chrome DevTools).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { drainOnce, type DrainSpec, type Evertask } from '../lib/memory-workload.js';
import { renderFlameGraph, type CpuProfile } from './flame-graph.js';

const [entryArg, outArg, title] = process.argv.slice(2);
if (entryArg === undefined || outArg === undefined) throw new Error('usage: profile-headline.ts <evertask dist/index.js> <out.svg> [title]');
// paths are relative to where `npm run` was typed (npm runs the script in bench/)
const base = process.env.INIT_CWD ?? process.cwd();
const entry = resolve(base, entryArg);
const out = resolve(base, outArg);
const et = (await import(pathToFileURL(entry).href)) as Evertask;
const spec: DrainSpec = { handler: 'async', dispatch: 'single', audit: 'none', count: 100_000, concurrency: 16, inFlight: 1000 };
await drainOnce(et, { ...spec, count: 20_000 });

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
await session.post('Profiler.start');
const result = await drainOnce(et, spec);
const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
session.disconnect();

writeFileSync(out.replace(/\.svg$/, '') + '.cpuprofile', JSON.stringify(profile));
const heading = `${title ?? entryArg}: async handler, dispatch() × 1,000 in flight, 100k tasks, audit none — ${Math.round(result.rate).toLocaleString('en-US')} tasks/s under the profiler`;
writeFileSync(out, renderFlameGraph(profile, heading));
console.log(`wrote ${out} (${Math.round(result.rate)} tasks/s under the profiler)`);
