import { defineTask, EverTask, MemoryStorage, silentLogger, type AuditLevel } from 'evertask';
import { median, summarize, sleep } from '../lib/stats.js';
import type { Report } from '../lib/report.js';

const noop = defineTask({ name: 'noop', handler: (_p: { i: number }) => {} });

async function drainOnce(count: number, concurrency: number, auditLevel: AuditLevel): Promise<number> {
  const engine = new EverTask({
    storage: new MemoryStorage(),
    tasks: [noop],
    logger: silentLogger,
    queues: { default: { concurrency } },
    defaults: { auditLevel },
  });
  await engine.start();
  let done = 0;
  let resolveDone!: () => void;
  const finished = new Promise<void>((r) => (resolveDone = r));
  engine.on('task:completed', () => {
    if (++done === count) resolveDone();
  });
  const started = performance.now();
  const chunk = 1000;
  for (let i = 0; i < count; i += chunk) {
    await engine.dispatchMany(noop, Array.from({ length: Math.min(chunk, count - i) }, (_, j) => ({ i: i + j })));
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await engine.stop();
  return count / seconds;
}

async function latencyOnce(count: number, spacingMs: number): Promise<number[]> {
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const probe = defineTask({
    name: 'probe',
    handler: (p: { i: number }) => void latencies.push(performance.now() - (sentAt.get(p.i) as number)),
  });
  const engine = new EverTask({ storage: new MemoryStorage(), tasks: [probe], logger: silentLogger, queues: { default: { concurrency: 16 } }, defaults: { auditLevel: 'none' } });
  await engine.start();
  await sleep(200);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const target = t0 + i * spacingMs;
    const wait = target - performance.now();
    if (wait > 0) await sleep(wait);
    sentAt.set(i, performance.now());
    await engine.dispatch(probe, { i });
  }
  while (latencies.length < count) await sleep(5);
  await engine.stop();
  return latencies;
}

export async function runMemoryEngine(report: Report, runs: number): Promise<void> {
  const count = 100_000;
  for (const audit of ['none', 'full'] as const) {
    // one discarded warm-up drain, so that the measured runs see optimised code (as a long-running
    // service does) rather than the JIT's first pass
    await drainOnce(20_000, 16, audit);
    const rates: number[] = [];
    for (let r = 0; r < runs; r++) rates.push(await drainOnce(count, 16, audit));
    report.add({ scenario: `memory: dispatch+drain 100k (audit ${audit})`, library: 'evertask (MemoryStorage)', metric: 'throughput', value: median(rates), unit: 'tasks/s', runs: rates });
  }
  const p50s: number[] = [];
  const p99s: number[] = [];
  for (let r = 0; r < runs; r++) {
    const s = summarize(await latencyOnce(1000, 2));
    p50s.push(s.p50);
    p99s.push(s.p99);
  }
  report.add({ scenario: 'memory: dispatch→start latency (1000 × 2 ms apart)', library: 'evertask (MemoryStorage)', metric: 'p50', value: median(p50s), unit: 'ms', runs: p50s });
  report.add({ scenario: 'memory: dispatch→start latency (1000 × 2 ms apart)', library: 'evertask (MemoryStorage)', metric: 'p99', value: median(p99s), unit: 'ms', runs: p99s });
}
