/**
 * What every framework example shares: one task, an engine on a SQLite file, the monitor's
 * options, and a graceful stop on SIGTERM / SIGINT.
 */
import { EverTask, defineTask, linearRetry, type EverTaskOptions } from 'evertask';
import { SqliteStorage } from '@evertask/sqlite';
import type { MonitorOptions } from '@evertask/monitor';

export const sendWelcome = defineTask({
  name: 'send-welcome-email',
  retry: linearRetry(3, '200ms'),
  timeout: '5s',
  handler: async (payload: { email: string }, ctx) => {
    ctx.logger.information('Sent welcome mail to {email}', payload.email);
  },
});

/** The engine's options: a SQLite file (`EVERTASK_SQLITE`, default `./evertask-example.db`). */
export function engineOptions(): EverTaskOptions {
  return {
    storage: new SqliteStorage({ filename: process.env.EVERTASK_SQLITE ?? './evertask-example.db' }),
    tasks: [sendWelcome],
  };
}

/** An engine for the examples that create it themselves (Express, Fastify, Hono). */
export function createEngine(): EverTask {
  return new EverTask(engineOptions());
}

/** The monitor under `/evertask`, one admin whose password comes from `MONITOR_PASSWORD`. */
export function monitorOptions(everTask: EverTask): MonitorOptions;
/** The same without the engine (for `EverTaskModule.forRoot({ monitor })`, which adds it). */
export function monitorOptions(everTask: undefined): Omit<MonitorOptions, 'everTask'>;
export function monitorOptions(everTask: EverTask | undefined): Omit<MonitorOptions, 'everTask'> & { everTask?: EverTask } {
  // the monitor refuses a missing or short password with a message naming the fix
  const password = process.env.MONITOR_PASSWORD ?? '';
  return { ...(everTask ? { everTask } : {}), basePath: '/evertask', auth: { users: [{ username: 'admin', password }] } };
}

/** The port to listen on: `PORT`, default 3000 (0 picks a free one). */
export function listenPort(): number {
  return Number(process.env.PORT ?? 3000);
}

/** Runs `stop` once on the first SIGTERM or SIGINT, then exits (1 when stopping failed). */
export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('stop failed:', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
