import { EverTask, silentLogger } from 'evertask';
import type { SoakOptions, SoakStorageName } from './soak-options.js';
import { createSoakStorage } from './soak-storage.js';
import { RECURRING_SERIES, SOAK_TASKS, startDispatcher, startRecurring } from './soak-load.js';
import { soakViolations } from './soak-bounds.js';
import { startSampler } from './sampler.js';
import { summarizeAll, type MetricSummary, type SoakSample } from './soak-stats.js';

/** What one storage's soak run measured. */
export interface SoakResult {
  storage: SoakStorageName;
  where: string;
  durationSeconds: number;
  rate: number;
  dispatched: number;
  finished: number;
  retried: number;
  failed: number;
  /** 100 ms dispatcher ticks skipped because the previous tick's dispatches had not returned. */
  lateTicks: number;
  dispatchErrors: number;
  samples: SoakSample[];
  summary: MetricSummary[];
  /** The bounds of soak-bounds.ts this run broke (empty when it kept them). */
  violations: string[];
}

/** Retention that keeps the tables bounded: finished tasks, audit rows and logs older than 20 s, every 5 s. */
const RETENTION = { completedTasks: '20s', failedTasks: '20s', audit: '20s', logs: '20s', interval: '5s' } as const;

/** Puts the steady load on one storage for `options.durationSeconds`, sampling every second. */
export async function runSoak(name: SoakStorageName, options: SoakOptions, progress: (line: string) => void): Promise<SoakResult> {
  const { storage, where, dispose } = createSoakStorage(name);
  const engine = new EverTask({
    storage,
    tasks: SOAK_TASKS,
    logger: silentLogger,
    defaults: { auditLevel: 'full', logs: { enabled: true, minLevel: 'debug' } },
    retention: RETENTION,
    sweepInterval: '1s',
  });
  let finished = 0;
  let retried = 0;
  let failed = 0;
  engine.on('task:completed', () => void finished++);
  engine.on('task:failed', () => {
    finished++;
    failed++;
  });
  engine.on('task:retrying', () => void retried++);
  try {
    await engine.start();
    await startRecurring(engine);
    const sampler = startSampler(
      {
        finished: () => finished,
        storedTasks: async () => (await storage.count({})).reduce((sum, row) => sum + row.count, 0),
      },
      { liveHeapEverySeconds: options.liveHeapEverySeconds },
    );
    const dispatcher = startDispatcher(engine, options.rate);
    const every = Math.max(10, Math.round(options.durationSeconds / 20));
    for (let elapsed = 0; elapsed < options.durationSeconds; elapsed += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      if ((elapsed + 1) % every === 0) progress(`[soak ${name}] ${elapsed + 1}/${options.durationSeconds} s, ${finished} finished`);
    }
    const load = await dispatcher.stop();
    const samples = await sampler.stop();
    return {
      storage: name,
      where,
      durationSeconds: options.durationSeconds,
      rate: options.rate,
      dispatched: load.dispatched,
      finished,
      retried,
      failed,
      lateTicks: load.lateTicks,
      dispatchErrors: load.errors,
      samples,
      summary: summarizeAll(samples),
      violations: soakViolations(samples, options.rate + RECURRING_SERIES),
    };
  } finally {
    await engine.stop({ timeout: 5000, closeStorage: true }).catch(() => undefined);
    await dispose();
  }
}
