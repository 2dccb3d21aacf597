import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SoakResult } from './run-soak.js';
import type { MetricSummary, SoakMetric } from './soak-stats.js';
import { soakSvg } from './svg-plot.js';

const LABELS: Record<SoakMetric, string> = {
  rssMb: 'RSS (MB)',
  heapUsedMb: 'heap used (MB)',
  liveHeapMb: 'live heap after GC (MB)',
  lagP99Ms: 'event-loop delay p99 (ms)',
  lagMaxMs: 'event-loop delay max (ms)',
  throughput: 'throughput (tasks/s)',
  storedTasks: 'tasks stored (rows)',
};

function fixed(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2);
}

/** The markdown table of one run: start / middle / end / max and the slope over the second half. */
export function summaryTable(summary: readonly MetricSummary[]): string {
  const rows = summary.map((m) => `| ${LABELS[m.metric]} | ${fixed(m.start)} | ${fixed(m.middle)} | ${fixed(m.end)} | ${fixed(m.max)} | ${m.slopePerMinute >= 0 ? '+' : ''}${fixed(m.slopePerMinute)} |`);
  return ['| metric | start | middle | end | max | slope / min (2nd half) |', '|---|---:|---:|---:|---:|---:|', ...rows].join('\n');
}

function headline(r: SoakResult): string {
  return (
    `${r.storage}: ${(r.durationSeconds / 60).toFixed(1)} min at ${r.rate} tasks/s; ${r.dispatched} dispatched, ${r.finished} finished ` +
    `(${r.failed} failed on purpose, ${r.retried} retries), ${r.lateTicks} late dispatcher ticks, ${r.dispatchErrors} dispatch errors`
  );
}

/** Writes report.md, samples-<storage>.json and soak-<storage>.svg under `dir`; returns the report's path. */
export function writeSoakReport(dir: string, results: readonly SoakResult[], note: string): string {
  const folder = resolve(dir);
  mkdirSync(folder, { recursive: true });
  const sections: string[] = [`# Soak run ${new Date().toISOString()}`, '', note, ''];
  for (const r of results) {
    const svg = `soak-${r.storage}.svg`;
    writeFileSync(join(folder, svg), soakSvg(`EverTask soak on ${r.storage}: ${(r.durationSeconds / 60).toFixed(1)} min at ${r.rate} tasks/s`, r.samples));
    writeFileSync(join(folder, `samples-${r.storage}.json`), JSON.stringify(r.samples));
    const bounds = r.violations.length === 0 ? 'Within the bounds of scripts/soak/soak-bounds.ts.' : `Out of bounds: ${r.violations.join('; ')}.`;
    sections.push(`## ${r.storage}`, '', headline(r), '', bounds, '', summaryTable(r.summary), '', `![${r.storage}](${svg})`, '');
  }
  const path = join(folder, 'report.md');
  writeFileSync(path, sections.join('\n'));
  return path;
}
