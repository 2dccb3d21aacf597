/**
 * The child process of the multi-process engine tests (`engine-processes.ts`), the same for every
 * storage: each adapter's `test/fixtures/engine-worker.ts` builds its storage from
 * `readWorkerConfig().storage` and hands it to `runEngineWorker`.
 *
 * Task "record" appends one line when an execution starts and one when it ends to
 * `<ledgerDir>/<instanceId>.log` (see `execution-ledger.ts`), sleeping `sleepMs` in between. Prints
 * "ready" once the engine runs; stops gracefully on SIGTERM. Task "limited" does the same under a
 * rate limit of 5 starts per second per `payload.key` (burst 5), for `rate-limit-processes.ts`.
 */
import { EverTask, defineTask, type Logger, type TaskStorage } from 'evertask';
import { ExecutionLedgerWriter } from './execution-ledger.js';

/** What the test passes to a worker (as JSON in argv[2]). */
export interface EngineWorkerConfig<S = unknown> {
  instanceId: string;
  concurrency: number;
  lease: string;
  heartbeat: string;
  /** Set for a storage without wake-ups (the sweep then finds the work other processes add). */
  sweepInterval?: string;
  sleepMs: number;
  /** The folder of the execution ledger. */
  ledgerDir: string;
  /** What the adapter's fixture needs to build its storage. */
  storage: S;
}

/** The worker's configuration, from its command line. */
export function readWorkerConfig<S>(): EngineWorkerConfig<S> {
  return JSON.parse(process.argv[2] ?? '') as EngineWorkerConfig<S>;
}

/** Runs an EverTask with the "record" task on `storage` until SIGTERM. */
export async function runEngineWorker(config: EngineWorkerConfig, storage: TaskStorage): Promise<void> {
  const ledger = new ExecutionLedgerWriter(config.ledgerDir, config.instanceId);
  const record = defineTask({
    name: 'record',
    handler: async (_payload: { i: number }, ctx) => {
      const execution = ledger.started(ctx.taskId);
      await new Promise((resolve) => setTimeout(resolve, config.sleepMs));
      ledger.ended(execution);
    },
  });
  const limited = defineTask({
    name: 'limited',
    rateLimit: { permits: 5, period: '1s', key: (payload: { key: string }) => payload.key },
    handler: async (_payload: { key: string }, ctx) => {
      const execution = ledger.started(ctx.taskId);
      await new Promise((resolve) => setTimeout(resolve, config.sleepMs));
      ledger.ended(execution);
    },
  });
  const logger: Logger = {
    debug() {},
    info() {},
    warn() {},
    error: (message) => process.stderr.write(`[${config.instanceId}] ${message}\n`),
  };
  const everTask = new EverTask({
    storage,
    tasks: [record, limited],
    queues: { default: { concurrency: config.concurrency } },
    instanceId: config.instanceId,
    lease: config.lease,
    heartbeat: config.heartbeat,
    ...(config.sweepInterval === undefined ? {} : { sweepInterval: config.sweepInterval }),
    logger,
  });
  await everTask.start();
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    void everTask.stop({ timeout: '5s', closeStorage: true }).then(() => process.exit(0));
  });
}
