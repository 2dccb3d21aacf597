/**
 * `evertask demo` (and `npm start` at the repository root): an application on a SQLite file (the
 * embedded persistent default) that dispatches a mix of tasks — immediate, delayed,
 * failing-then-retried, timed out, refused, cancelled, rate-limited and recurring — and prints
 * what happens to them. Ctrl+C stops it gracefully (running tasks finish or are stored as
 * service-stopped and run again next time); otherwise it ends by itself after `seconds`.
 */
import { SqliteStorage } from '@evertask/sqlite';
import { defineTask, EverTask, linearRetry, NonRetryableError, type EverTaskEvents } from 'evertask';

export interface DemoOptions {
  /** SQLite file. @defaultValue 'evertask-demo.db' */
  filename?: string;
  /** How long the demo runs. @defaultValue 20 */
  seconds?: number;
  /** Where the demo prints. @defaultValue the console */
  out?: (line: string) => void;
  /** Listen for Ctrl+C / SIGTERM to stop early. @defaultValue true */
  handleSignals?: boolean;
}

/** Runs the demo; resolves once it has stopped gracefully. */
export async function runDemo(options: DemoOptions = {}): Promise<void> {
  const filename = options.filename ?? 'evertask-demo.db';
  const seconds = options.seconds ?? 20;
  const print = options.out ?? ((line: string) => print(line));
  const started = Date.now();
  const stamp = () => `+${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`;
  const sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => {
        clearTimeout(t);
        reject(signal.reason);
      });
    });

  const sendWelcome = defineTask({
    name: 'send-welcome-email',
    handler: async (p: { email: string }, ctx) => {
      await sleep(200, ctx.signal);
      ctx.logger.information('Welcome mail sent to {email}', p.email);
    },
  });

  let flakyCalls = 0;
  const flakyImport = defineTask({
    name: 'import-orders',
    retry: linearRetry(3, '1s'),
    handler: async (p: { batch: number }) => {
      flakyCalls++;
      if (flakyCalls < 3) throw new Error(`partner API returned 503 for batch ${p.batch}`);
    },
  });

  const slowReport = defineTask({
    name: 'build-report',
    timeout: '1500ms',
    retry: linearRetry(1, '500ms'),
    handler: async (_p: { month: string }, ctx) => sleep(5_000, ctx.signal),
  });

  const invalidInput = defineTask({
    name: 'charge-card',
    handler: async (p: { amount: number }) => {
      if (p.amount <= 0) throw new NonRetryableError(`amount must be positive, got ${p.amount}`);
    },
  });

  const partnerCall = defineTask({
    name: 'call-partner',
    rateLimit: { permits: 2, period: '1s', key: (p: { partner: string }) => p.partner },
    handler: async () => sleep(50),
  });

  const heartbeat = defineTask({
    name: 'heartbeat',
    handler: async (_p: null, ctx) => void ctx.logger.information('tick {n}', ctx.occurrence?.runCount ?? 0),
  });

  const storage = new SqliteStorage({ filename });
  const everTask = new EverTask({
    storage,
    tasks: [sendWelcome, flakyImport, slowReport, invalidInput, partnerCall, heartbeat],
    queues: { default: { concurrency: 4 } },
    defaults: { logs: { enabled: true } },
    logger: { debug() {}, info() {}, warn: (m) => print(`${stamp()}   warn  ${m}`), error() {} },
  });

  const show = <E extends keyof EverTaskEvents>(event: E, describe: (e: EverTaskEvents[E]) => string) =>
    everTask.on(event, (e) => print(`${stamp()}  ${describe(e)}`));
  show('task:dispatched', (e) => `dispatched  ${e.taskName.padEnd(20)} ${e.taskId.slice(-8)}${e.dueAt > Date.now() + 50 ? ` (due in ${((e.dueAt - Date.now()) / 1000).toFixed(1)}s)` : ''}`);
  show('task:completed', (e) => `completed   ${e.taskName.padEnd(20)} ${e.taskId.slice(-8)} in ${e.durationMs} ms (attempt ${e.attempt})`);
  show('task:retrying', (e) => `retrying    ${e.taskName.padEnd(20)} ${e.taskId.slice(-8)} in ${e.delayMs} ms: ${e.error.message}`);
  show('task:failed', (e) => `failed      ${e.taskName.padEnd(20)} ${e.taskId.slice(-8)}: ${e.error.message}`);
  show('task:cancelled', (e) => `cancelled   ${e.taskName.padEnd(20)} ${e.taskId.slice(-8)}${e.running ? ' (while running)' : ''}`);
  show('task:rate-limited', (e) => `throttled   ${e.taskName.padEnd(20)} ${e.taskId.slice(-8)} key=${e.key}, slot in ${e.retryAt - Date.now()} ms`);
  show('task:recovered', (e) => `recovered   ${e.taskName.padEnd(20)} ${e.taskId.slice(-8)} from a previous run`);
  show('recurring:missed', (e) => `missed      ${e.taskName.padEnd(20)} ${e.missed} occurrence(s) while stopped`);

  await everTask.start();
  print(`EverTask demo on SQLite file ${filename} — instance ${everTask.instanceId}\n`);

  await everTask.dispatch(sendWelcome, { email: 'ada@example.com' });
  await everTask.dispatch(sendWelcome, { email: 'grace@example.com' }, { delay: '3s' });
  await everTask.dispatch(flakyImport, { batch: 7 });
  await everTask.dispatch(slowReport, { month: '2026-11' });
  await everTask.dispatch(invalidInput, { amount: -5 });
  for (let i = 0; i < 5; i++) await everTask.dispatch(partnerCall, { partner: 'acme' });
  const doomed = await everTask.dispatch(sendWelcome, { email: 'nobody@example.com' }, { delay: '10s' });
  await everTask.dispatch(heartbeat, null, { recurring: (s) => s.runNow().then().every(5).seconds(), taskKey: 'demo-heartbeat' });
  const cancelTimer = setTimeout(() => void everTask.cancel(doomed).catch(() => undefined), 2_000);

  const series = await everTask.recurring();
  for (const s of series) print(`${stamp()}  recurring   ${s.name.padEnd(20)} ${s.description}, next at ${s.nextRunAt?.toISOString()}, ${s.runCount} run(s) so far`);

  let stopping = false;
  let stopped: Promise<void> = Promise.resolve();
  async function shutdown(reason: string) {
    if (stopping) return stopped;
    stopping = true;
    clearTimeout(cancelTimer);
    let done!: () => void;
    stopped = new Promise<void>((resolve) => (done = resolve));
    print(`\n${stamp()}  ${reason}: stopping gracefully…`);
    await everTask.stop({ timeout: '5s' });
    const counts = await storage.count();
    const byStatus = new Map<string, number>();
    for (const c of counts) byStatus.set(c.status, (byStatus.get(c.status) ?? 0) + c.count);
    print(`\nStored tasks by status: ${[...byStatus].map(([s, n]) => `${s} ${n}`).join(', ')}`);
    await storage.close();
    print(`Run \`npm start\` again: the file keeps every task, the recurring series continues.`);
    done();
  }
  let wake: () => void = () => undefined;
  const interrupted = new Promise<void>((resolve) => (wake = resolve));
  const onSignal = (name: string) => () => {
    void shutdown(name).then(wake);
  };
  const onInt = onSignal('Ctrl+C');
  const onTerm = onSignal('SIGTERM');
  if (options.handleSignals ?? true) {
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  }
  const timer = setTimeout(wake, seconds * 1000);
  await interrupted;
  clearTimeout(timer);
  process.off('SIGINT', onInt);
  process.off('SIGTERM', onTerm);
  await shutdown(`${seconds} s elapsed`);
}
