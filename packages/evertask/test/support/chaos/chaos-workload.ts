/**
 * The chaos suite's mixed workload: which task each index is (deterministic from the run's seed)
 * and the task definitions the worker processes run. Every handler records its execution in the
 * execution ledger with a note `<kind>:<attempt>:<key>` (a recurring run:
 * `tick:<runCount>:<series>:<scheduledAt>`) and honours its abort signal, so that the ledger shows
 * when each execution really stopped.
 */
import { defineTask, linearRetry, type TaskContext } from 'evertask';
import type { ExecutionLedgerWriter } from '../execution-ledger.js';

/** The kinds of task in the workload. */
export type ChaosKind = 'plain' | 'flaky' | 'slow' | 'delayed' | 'keyed';

/** One task of the workload, as the dispatching worker sends it. */
export interface ChaosItem {
  index: number;
  kind: ChaosKind;
  /** Handler time of a successful attempt, ms. */
  workMs: number;
  /** flaky: attempts that throw before one succeeds (more than the 3 retries: the task fails). */
  failFirst: number;
  /** slow: attempts that overrun the timeout (more than the 2 retries: the task fails). */
  overrun: number;
  /** delayed and some keyed: the dispatch delay, ms. */
  delayMs: number;
  /** keyed: the task key (shared by several indexes, so that a key is dispatched again). */
  key: string | undefined;
}

/** Per-attempt timeout of the `slow` tasks, ms. */
export const SLOW_TIMEOUT_MS = 300;

/** A number in [0, 1) from the seed and an index (the same on every run with that seed). */
export function unitRandom(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
}

/** Task `index` of the run with `seed` among `total`: 40 % plain, 20 % flaky, 10 % slow, 10 % delayed, 20 % keyed. */
export function chaosItem(seed: number, index: number, total: number): ChaosItem {
  const r = (k: number) => unitRandom(seed + k, index);
  const slot = Math.floor(r(0) * 10);
  const kind: ChaosKind = slot < 4 ? 'plain' : slot < 6 ? 'flaky' : slot < 7 ? 'slow' : slot < 8 ? 'delayed' : 'keyed';
  const keys = Math.max(1, Math.floor(total / 15));
  return {
    index,
    kind,
    workMs: 5 + Math.floor(r(1) * 25),
    failFirst: kind === 'flaky' ? [0, 1, 1, 2, 2, 3, 4][Math.floor(r(2) * 7)] ?? 0 : 0,
    overrun: kind === 'slow' ? [1, 1, 1, 2, 3][Math.floor(r(3) * 5)] ?? 0 : 0,
    delayMs: kind === 'delayed' ? 300 + Math.floor(r(4) * 3000) : kind === 'keyed' && r(5) < 0.5 ? 200 + Math.floor(r(6) * 800) : 0,
    key: kind === 'keyed' ? `key-${Math.floor(r(7) * keys)}` : undefined,
  };
}

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** Runs `body` between a start and an end line of the ledger. */
async function recorded(ledger: ExecutionLedgerWriter, ctx: TaskContext, note: string, body: () => Promise<void>): Promise<void> {
  const execution = ledger.started(ctx.taskId, note);
  try {
    await body();
  } finally {
    ledger.ended(execution);
  }
}

/** The payload every workload task carries. */
export interface ChaosPayload {
  i: number;
  workMs: number;
  failFirst: number;
  overrun: number;
}

/** The task definitions of the workload, recording into `ledger`. */
export function chaosTasks(ledger: ExecutionLedgerWriter) {
  const note = (kind: string, ctx: TaskContext) => `${kind}:${ctx.attempt}:${ctx.taskKey ?? '-'}`;
  const plain = defineTask({
    name: 'chaos.plain',
    handler: (p: ChaosPayload, ctx) => recorded(ledger, ctx, note('plain', ctx), () => pause(p.workMs, ctx.signal)),
  });
  const flaky = defineTask({
    name: 'chaos.flaky',
    retry: linearRetry(3, 100),
    handler: (p: ChaosPayload, ctx) =>
      recorded(ledger, ctx, note('flaky', ctx), async () => {
        await pause(p.workMs, ctx.signal);
        if (ctx.attempt <= p.failFirst) throw new Error(`planned failure of attempt ${ctx.attempt} of ${p.failFirst}`);
      }),
  });
  const slow = defineTask({
    name: 'chaos.slow',
    timeout: SLOW_TIMEOUT_MS,
    retry: linearRetry(2, 100),
    handler: (p: ChaosPayload, ctx) =>
      recorded(ledger, ctx, note('slow', ctx), async () => {
        // an overrunning attempt waits for its timeout's abort (at most 10 × the timeout)
        await pause(ctx.attempt <= p.overrun ? SLOW_TIMEOUT_MS * 10 : p.workMs, ctx.signal);
        if (ctx.signal.aborted) throw new Error(`attempt ${ctx.attempt} aborted`);
      }),
  });
  const tick = defineTask({
    name: 'chaos.tick',
    handler: (p: { series: number }, ctx) => {
      const occurrence = ctx.occurrence;
      const at = occurrence === undefined ? '-' : `${occurrence.runCount}:${p.series}:${occurrence.scheduledAt}`;
      return recorded(ledger, ctx, `tick:${at}`, () => pause(5, ctx.signal));
    },
  });
  return { plain, flaky, slow, tick, all: [plain, flaky, slow, tick] };
}
