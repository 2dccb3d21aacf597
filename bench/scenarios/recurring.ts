import { defineTask, EverTask, MemoryStorage, silentLogger, type TaskContext } from 'evertask';
import { median, summarize, sleep } from '../lib/stats.js';
import type { Report } from '../lib/report.js';

/**
 * How many recurring series one engine sustains: `SERIES` series firing every second on
 * MemoryStorage, on the real clock. Every interval series is anchored on whole seconds, so all of
 * them fall due at the same instant: each second is a burst of `SERIES` occurrences.
 *
 * Firing lag = handler start − the occurrence's scheduled time. Runs/s counts handler starts in
 * the measured window (after a warm-up); missed = occurrences the engine skipped because it fell
 * more than the grace period behind.
 *
 * Knobs (environment): BENCH_RECURRING_SERIES (default 10000), BENCH_RECURRING_SECONDS (20).
 */
const SERIES = Number(process.env.BENCH_RECURRING_SERIES ?? 10_000);
const MEASURE_MS = Number(process.env.BENCH_RECURRING_SECONDS ?? 20) * 1000;
const WARMUP_MS = 3000;
const REGISTER_CHUNK = 500;

interface RecurringResult {
  runsPerSecond: number;
  lags: number[];
  missed: number;
}

async function recurringOnce(series: number): Promise<RecurringResult> {
  const epochNow = () => performance.timeOrigin + performance.now();
  let measuring = false;
  let runs = 0;
  const lags: number[] = [];
  const tick = defineTask({
    name: 'bench-tick',
    handler: (_p: { i: number }, ctx: TaskContext) => {
      if (!measuring) return;
      runs++;
      lags.push(epochNow() - (ctx.occurrence?.scheduledAt ?? Number.NaN));
    },
  });
  const engine = new EverTask({ storage: new MemoryStorage(), tasks: [tick], logger: silentLogger, defaults: { auditLevel: 'none' } });
  let missed = 0;
  engine.on('recurring:missed', (e) => {
    if (measuring) missed += e.missed;
  });
  await engine.start();
  for (let i = 0; i < series; i += REGISTER_CHUNK) {
    const chunk: Promise<string>[] = [];
    for (let j = i; j < Math.min(series, i + REGISTER_CHUNK); j++) {
      chunk.push(engine.dispatch(tick, { i: j }, { recurring: (s) => s.everySecond() }));
    }
    await Promise.all(chunk);
  }
  await sleep(WARMUP_MS);
  measuring = true;
  const started = performance.now();
  await sleep(MEASURE_MS);
  measuring = false;
  const seconds = (performance.now() - started) / 1000;
  await engine.stop({ timeout: 1000 });
  return { runsPerSecond: runs / seconds, lags, missed };
}

export async function runRecurring(report: Report, runs: number): Promise<void> {
  const rates: number[] = [];
  const p50s: number[] = [];
  const p99s: number[] = [];
  const missed: number[] = [];
  for (let r = 0; r < runs; r++) {
    const result = await recurringOnce(SERIES);
    const s = summarize(result.lags);
    rates.push(result.runsPerSecond);
    p50s.push(s.p50);
    p99s.push(s.p99);
    missed.push(result.missed);
  }
  const scenario = `recurring: ${SERIES.toLocaleString('en-US')} series every second (expected ${SERIES.toLocaleString('en-US')}/s)`;
  const library = 'evertask (MemoryStorage)';
  report.add({ scenario, library, metric: 'runs/s', value: median(rates), unit: 'runs/s', runs: rates });
  report.add({ scenario, library, metric: 'lag p50', value: median(p50s), unit: 'ms', runs: p50s });
  report.add({ scenario, library, metric: 'lag p99', value: median(p99s), unit: 'ms', runs: p99s });
  report.add({ scenario, library, metric: 'missed', value: median(missed), unit: 'occurrences', runs: missed });
}
