/**
 * The child process of the chaos suite, the same for every storage: each adapter's
 * `test/fixtures/chaos-worker.ts` builds its storage from `readChaosConfig().storage` and calls
 * `runChaosWorker`. The process runs an EverTask with the workload's tasks on an engine clock
 * offset by `clockOffsetMs` (the skew), dispatches its share of the workload in paced chunks
 * (retrying a chunk that failed during an outage), records each acknowledged dispatch in the
 * execution ledger, prints "ready" once its engine runs and stops gracefully on SIGTERM.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { EverTask, systemClock, type Clock, type Logger, type RecurringBuilder, type TaskStorage } from 'evertask';
import { ExecutionLedgerWriter } from '../execution-ledger.js';
import { chaosItem, chaosTasks, type ChaosItem } from './chaos-workload.js';

/** What the orchestrator passes to a worker (as JSON in argv[2]). */
export interface ChaosWorkerConfig<S = unknown> {
  instanceId: string;
  /** Added to the engine's clock (not to the ledger's, which is the machine's). */
  clockOffsetMs: number;
  ledgerDir: string;
  concurrency: number;
  lease: string;
  heartbeat: string;
  sweepInterval: string;
  /** The workload's seed and size, and the indexes [from, to) this process dispatches. */
  seed: number;
  total: number;
  from: number;
  to: number;
  /** Tasks per dispatch chunk, and the pause after each. */
  chunk: number;
  paceMs: number;
  /** Recurring series to dispatch (keys `series-<n>`), each of `seriesRuns` runs, every second. */
  series: number[];
  seriesRuns: number;
  storage: S;
}

/** The worker's configuration, from its command line. */
export function readChaosConfig<S>(): ChaosWorkerConfig<S> {
  return JSON.parse(process.argv[2] ?? '') as ChaosWorkerConfig<S>;
}

function skewedClock(offsetMs: number): Clock {
  return { now: () => Date.now() + offsetMs, setTimer: systemClock.setTimer, clearTimer: systemClock.clearTimer };
}

type Tasks = ReturnType<typeof chaosTasks>;

/** Dispatches one chunk; resolves with what was acknowledged, as ledger entries. */
async function dispatchChunk(engine: EverTask, tasks: Tasks, items: ChaosItem[]): Promise<{ taskId: string; note: string }[]> {
  const payload = (item: ChaosItem) => ({ i: item.index, workMs: item.workMs, failFirst: item.failFirst, overrun: item.overrun });
  const acked: { taskId: string; note: string }[] = [];
  const batched = (kind: 'plain' | 'flaky' | 'slow') => items.filter((item) => item.kind === kind);
  for (const kind of ['plain', 'flaky', 'slow'] as const) {
    const group = batched(kind);
    if (group.length === 0) continue;
    const ids = await engine.dispatchMany(tasks[kind], group.map(payload));
    ids.forEach((taskId, n) => acked.push({ taskId, note: `${kind}:${group[n]?.index}` }));
  }
  for (const item of items) {
    if (item.kind !== 'delayed' && item.kind !== 'keyed') continue;
    const options = { ...(item.delayMs > 0 ? { delay: item.delayMs } : {}), ...(item.key === undefined ? {} : { taskKey: item.key }) };
    const taskId = await engine.dispatch(tasks.plain, payload(item), options);
    acked.push({ taskId, note: `${item.kind}:${item.index}:${item.key ?? '-'}` });
  }
  return acked;
}

/** Dispatches `items`, again and again until the storage takes them (an outage rejects a dispatch). */
async function dispatchUntilStored(engine: EverTask, ledger: ExecutionLedgerWriter, tasks: Tasks, items: ChaosItem[], log: Logger): Promise<void> {
  for (;;) {
    try {
      ledger.dispatched(await dispatchChunk(engine, tasks, items));
      return;
    } catch (error) {
      log.warn(`dispatch of ${items.length} tasks failed, trying again: ${(error as Error).message}`);
      await sleep(200);
    }
  }
}

/** Runs the worker until SIGTERM. */
export async function runChaosWorker(config: ChaosWorkerConfig, storage: TaskStorage): Promise<void> {
  const ledger = new ExecutionLedgerWriter(config.ledgerDir, config.instanceId);
  const tasks = chaosTasks(ledger);
  const logger: Logger = {
    debug() {},
    info() {},
    warn: () => undefined,
    error: (message) => process.stderr.write(`[${config.instanceId}] ${message}\n`),
  };
  const engine = new EverTask({
    storage,
    tasks: tasks.all,
    queues: { default: { concurrency: config.concurrency, capacity: config.concurrency * 4 }, recurring: { concurrency: 2 } },
    instanceId: config.instanceId,
    lease: config.lease,
    heartbeat: config.heartbeat,
    sweepInterval: config.sweepInterval,
    clock: skewedClock(config.clockOffsetMs),
    logger,
  });
  // a start during an outage fails: try again, as a supervisor restarting the process would
  for (;;) {
    try {
      await engine.start();
      break;
    } catch {
      await sleep(200);
    }
  }
  process.stdout.write('ready\n');
  // the engine's timers do not hold the process (nor does a SQLite file): the process lives until SIGTERM
  const alive = setInterval(() => undefined, 60_000);
  process.on('SIGTERM', () => {
    void engine.stop({ timeout: '5s', closeStorage: true }).then(() => {
      clearInterval(alive);
      process.exit(0);
    });
  });
  for (const n of config.series) {
    for (;;) {
      try {
        const every: RecurringBuilder = (s) => s.everySecond().maxRuns(config.seriesRuns);
        const taskId = await engine.dispatch(tasks.tick, { series: n }, { taskKey: `series-${n}`, recurring: every });
        ledger.dispatched([{ taskId, note: `series:${n}` }]);
        break;
      } catch {
        await sleep(200);
      }
    }
  }
  for (let i = config.from; i < config.to; i += config.chunk) {
    const items: ChaosItem[] = [];
    for (let k = i; k < Math.min(config.to, i + config.chunk); k++) items.push(chaosItem(config.seed, k, config.total));
    await dispatchUntilStored(engine, ledger, tasks, items, logger);
    await sleep(config.paceMs);
  }
  process.stdout.write('dispatched\n');
}
