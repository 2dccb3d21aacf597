/**
 * The workload the peer comparisons share (reference/peer-bench.md): sizes, the 16 producers, the
 * drain wait and the latency run. No-op jobs with payload {i}.
 */
import { sleep, summarize, type LatencySummary } from './stats.js';

export const BULK = 20_000;
export const BULK_CALL = 1_000;
export const SINGLE = 5_000;
export const PRODUCERS = 16;
export const DRAIN = 20_000;
export const CONCURRENCY = 16;
export const LATENCY_N = 500;
export const LATENCY_SPACING_MS = 5;

/** One library's figures from one run. */
export interface Results {
  bulk: number;
  single: number;
  drain: number;
  latency: LatencySummary;
  /** EverTask only: the enqueue phases with nothing running meanwhile. */
  bulkOnly?: number;
  singleOnly?: number;
}

/** Waits until `unfinished()` reports 0, polling every 50 ms, then every 5 ms once `handled()` reached 98 %. */
export async function untilDrained(unfinished: () => Promise<number>, handled: () => number, total: number): Promise<void> {
  const deadline = performance.now() + 120_000;
  for (;;) {
    if ((await unfinished()) === 0) return;
    if (performance.now() > deadline) throw new Error(`drain did not finish: ${handled()} of ${total} handled`);
    await sleep(handled() >= total * 0.98 ? 5 : 50);
  }
}

/** `total` enqueues from PRODUCERS concurrent loops, each awaiting one at a time; returns enqueues/s. */
export async function producers(total: number, enqueue: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: PRODUCERS }, async () => {
      while (next < total) await enqueue(next++);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

/** An idle worker (left 1 s), then LATENCY_N enqueues LATENCY_SPACING_MS apart; the handler pushes to `latencies`. */
export async function latencyRun(enqueue: (i: number) => Promise<unknown>, sentAt: number[], latencies: number[]): Promise<LatencySummary> {
  await sleep(1000);
  const t0 = performance.now();
  for (let i = 0; i < LATENCY_N; i++) {
    const wait = t0 + i * LATENCY_SPACING_MS - performance.now();
    if (wait > 0) await sleep(wait);
    sentAt[i] = performance.now();
    await enqueue(i);
  }
  const deadline = performance.now() + 30_000;
  while (latencies.length < LATENCY_N) {
    if (performance.now() > deadline) throw new Error(`latency: ${latencies.length} of ${LATENCY_N} arrived`);
    await sleep(5);
  }
  return summarize(latencies);
}

export function assertCount(what: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`${what}: expected ${expected} rows in the backend, found ${actual}`);
}
