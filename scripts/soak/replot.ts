/**
 * `node --import tsx scripts/soak/replot.ts <report folder> [rate, for the title; default 100]`: draws soak-<storage>.svg again from
 * the folder's samples-<storage>.json (after a change to the plot, without soaking again).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SoakSample } from './soak-stats.js';
import { soakSvg } from './svg-plot.js';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: replot.ts <soak report folder holding samples-<storage>.json>');
const files = readdirSync(dir).filter((name) => /^samples-[a-z]+\.json$/.test(name));
if (files.length === 0) throw new Error(`No samples-<storage>.json in ${dir}: give the folder a soak run wrote.`);
for (const file of files) {
  const storage = file.slice('samples-'.length, -'.json'.length);
  const samples = JSON.parse(readFileSync(join(dir, file), 'utf8')) as SoakSample[];
  const minutes = (samples.at(-1)?.t ?? 0) / 60;
  const rate = process.argv[3] ?? '100';
  writeFileSync(join(dir, `soak-${storage}.svg`), soakSvg(`EverTask soak on ${storage}: ${minutes.toFixed(1)} min at ${rate} tasks/s`, samples));
  console.log(join(dir, `soak-${storage}.svg`));
}
