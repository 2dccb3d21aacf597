import type { SoakSample } from './soak-stats.js';
import { summarize } from './soak-stats.js';

/**
 * The growth a soak run may show and still pass (the short run inside `npm test` applies them;
 * docs/reliability.md explains the choice). Each is robust to a loaded 2-core machine: none is a
 * timing, all are about memory and rows.
 */
export const SOAK_BOUNDS = {
  /** Live heap (after a full GC) least-squares slope over the second half, MB per minute. */
  liveHeapSlopeMbPerMin: 6,
  /** RSS may rise in the second half above the first half's maximum by at most this, MB. */
  rssRiseMb: 64,
  /**
   * Tasks stored, at most this many seconds of the offered load (retention keeps finished tasks
   * 20 s and runs every 5 s, so a working policy holds about 25 s of them).
   */
  storedSecondsOfLoad: 40,
} as const;

/** Why a run broke a bound (empty when it kept them all). `rate` is the dispatcher's tasks per second plus the recurring ones. */
export function soakViolations(samples: readonly SoakSample[], rate: number): string[] {
  const problems: string[] = [];
  const last = samples[samples.length - 1];
  if (last === undefined) return ['no samples were taken'];
  const half = last.t / 2;
  const live = summarize(samples, 'liveHeapMb');
  if (live === undefined) problems.push('the live heap was never measured');
  else if (live.slopePerMinute > SOAK_BOUNDS.liveHeapSlopeMbPerMin) {
    problems.push(`live heap grows ${live.slopePerMinute.toFixed(2)} MB/min over the second half (bound ${SOAK_BOUNDS.liveHeapSlopeMbPerMin} MB/min)`);
  }
  const rss = (from: number, to: number) => Math.max(...samples.filter((s) => s.t >= from && s.t < to).map((s) => s.rssMb));
  const rise = rss(half, Infinity) - rss(0, half);
  if (rise > SOAK_BOUNDS.rssRiseMb) problems.push(`RSS rose ${rise.toFixed(1)} MB above the first half's maximum (bound ${SOAK_BOUNDS.rssRiseMb} MB)`);
  const stored = samples.flatMap((s) => (s.storedTasks === undefined ? [] : [s.storedTasks]));
  const maxStored = Math.max(0, ...stored);
  const storedBound = SOAK_BOUNDS.storedSecondsOfLoad * rate;
  if (stored.length === 0) problems.push('the stored tasks were never counted');
  else if (maxStored > storedBound) problems.push(`${maxStored} tasks stored, more than ${SOAK_BOUNDS.storedSecondsOfLoad} s of the load (${storedBound}): retention is not keeping up`);
  return problems;
}
