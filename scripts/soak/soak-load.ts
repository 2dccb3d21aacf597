import { defineTask, linearRetry, NonRetryableError, type EverTask, type TaskDefinition } from 'evertask';

/** Series of the soak's recurring load, each firing every second. */
export const RECURRING_SERIES = 5;
/** Distinct task keys the keyed share of the load cycles through. */
const KEYS = 50;

interface Work {
  i: number;
  text: string;
}

function busyWork(payload: Work): number {
  // a little CPU and allocation per task, as a real handler has
  let h = payload.i;
  for (const ch of payload.text) h = (h * 31 + ch.charCodeAt(0)) | 0;
  return h;
}

const plain = defineTask({ name: 'soak-plain', handler: async (payload: Work) => void busyWork(payload) });
const withLogs = defineTask({
  name: 'soak-logs',
  handler: async (payload: Work, ctx) => {
    ctx.logger.information('soak task {i} started', payload.i);
    ctx.logger.debug('hash {h}', busyWork(payload));
    ctx.logger.warning('soak task {i} done', payload.i);
  },
});
const flaky = defineTask({
  name: 'soak-flaky',
  retry: linearRetry(2, '200ms'),
  handler: async (payload: Work, ctx) => {
    if (ctx.attempt === 1) throw new Error(`soak: first attempt of ${payload.i} fails`);
  },
});
const failing = defineTask({
  name: 'soak-failing',
  handler: async (payload: Work) => {
    throw new NonRetryableError(`soak: task ${payload.i} fails for good`);
  },
});
const tick = defineTask({ name: 'soak-recurring', handler: async (_payload: { series: number }) => undefined });

/** Every task the soak dispatches. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const SOAK_TASKS: readonly TaskDefinition<any>[] = [plain, withLogs, flaky, failing, tick];

/**
 * The i-th dispatch of the mix, per 20: 12 plain, 3 with captured logs, 2 that fail once and are
 * retried, 1 that fails for good, 1 delayed by 2 s, 1 under one of 50 task keys.
 */
async function dispatchOne(engine: EverTask, i: number): Promise<void> {
  const payload: Work = { i, text: `soak payload ${i} `.repeat(8) };
  const slot = i % 20;
  if (slot < 12) await engine.dispatch(plain, payload);
  else if (slot < 15) await engine.dispatch(withLogs, payload);
  else if (slot < 17) await engine.dispatch(flaky, payload);
  else if (slot < 18) await engine.dispatch(failing, payload);
  else if (slot < 19) await engine.dispatch(plain, payload, { delay: '2s' });
  else await engine.dispatch(plain, payload, { taskKey: `soak-key-${i % KEYS}` });
}

/** Registers the recurring series (every second, under stable task keys). */
export async function startRecurring(engine: EverTask): Promise<void> {
  for (let series = 0; series < RECURRING_SERIES; series++) {
    await engine.dispatch(tick, { series }, { recurring: (s) => s.everySecond(), taskKey: `soak-series-${series}` });
  }
}

/** The fixed-rate dispatcher: `rate` tasks a second in ticks of 100 ms; counts the ticks it fell behind. */
export function startDispatcher(engine: EverTask, rate: number): { stop(): Promise<{ dispatched: number; lateTicks: number; errors: number }> } {
  const perTick = rate / 10;
  let owed = 0;
  let dispatched = 0;
  let lateTicks = 0;
  let errors = 0;
  let busy: Promise<void> | undefined;
  const timer = setInterval(() => {
    owed += perTick;
    if (busy !== undefined) {
      lateTicks++;
      return;
    }
    const count = Math.floor(owed);
    owed -= count;
    const batch: Promise<void>[] = [];
    for (let k = 0; k < count; k++) batch.push(dispatchOne(engine, dispatched++).catch(() => void errors++));
    busy = Promise.all(batch).then(() => void (busy = undefined));
  }, 100);
  return {
    async stop() {
      clearInterval(timer);
      await busy;
      return { dispatched, lateTicks, errors };
    },
  };
}
