/**
 * The short chaos run inside `npm test`, the same for every storage: an adapter's
 * `test/chaos.test.ts` calls `testChaos` inside its describe. A few hundred tasks, one SIGKILL, one
 * connection cut and one server restart (where the storage has them), skewed clocks; fails on any
 * violated invariant, printing the table.
 */
import { expect, it } from 'vitest';
import type { ChaosAdapter, ChaosOptions } from './chaos-run.js';
import { SHORT_CHAOS, runChaos } from './chaos-run.js';
import { chaosTable, describeViolations } from './chaos-report.js';

/** Registers the short chaos run in the caller's describe. */
export function testChaos<S>(adapter: ChaosAdapter<S>, options: Partial<ChaosOptions> = {}): void {
  it(`keeps every invariant through a SIGKILL, a connection cut, a server restart and skewed clocks (${adapter.storage})`, async () => {
    const result = await runChaos(adapter, { ...SHORT_CHAOS, ...options });
    console.info(chaosTable([result]));
    if (result.violations.length > 0) console.error(describeViolations(result));
    // every task of the workload was acknowledged at least once (keyed re-dispatches share a task)
    const run = { ...SHORT_CHAOS, ...options };
    expect(result.dispatches).toBeGreaterThanOrEqual(run.tasks);
    expect(result.kills).toHaveLength(run.kills);
    expect(result.violations, describeViolations(result)).toEqual([]);
  }, 180_000);
}
