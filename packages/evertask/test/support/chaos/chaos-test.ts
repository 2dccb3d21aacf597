/**
 * The short chaos run inside `npm test`, the same for every storage: an adapter's
 * `test/chaos.test.ts` calls `testChaos` inside its describe. A few hundred tasks, one SIGKILL, one
 * connection cut and one server restart (where the storage has them), skewed clocks; fails on any
 * violated invariant, printing the table.
 */
import { expect, it } from 'vitest';
import type { ChaosAdapter, ChaosOptions } from './chaos-run.js';
import { runChaos } from './chaos-run.js';
import { chaosTable, describeViolations } from './chaos-report.js';

/** The short run's size and faults. */
export const SHORT_CHAOS: ChaosOptions = {
  tasks: 400,
  workers: 3,
  kills: 1,
  cuts: 1,
  restarts: 1,
  seed: 12,
  series: 2,
  seriesRuns: 8,
  skewMs: 1500,
  leaseMs: 6000,
  cutMs: 2000,
  settleTimeoutMs: 90_000,
};

/** Registers the short chaos run in the caller's describe. */
export function testChaos<S>(adapter: ChaosAdapter<S>, options: Partial<ChaosOptions> = {}): void {
  it(`keeps every invariant through a SIGKILL, a connection cut, a server restart and skewed clocks (${adapter.storage})`, async () => {
    const result = await runChaos(adapter, { ...SHORT_CHAOS, ...options });
    console.info(chaosTable([result]));
    expect(result.tasks).toBeGreaterThanOrEqual(SHORT_CHAOS.tasks * 0.9);
    expect(result.kills).toHaveLength(SHORT_CHAOS.kills);
    expect(result.violations, describeViolations(result)).toEqual([]);
  }, 180_000);
}
