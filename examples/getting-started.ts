// getting-started.ts: the program of docs/getting-started.md (run with `npx tsx getting-started.ts`).
import { EverTask, defineTask, linearRetry } from 'evertask';
import { SqliteStorage } from '@evertask/sqlite';

// 1. A task: a unique name, a typed payload, a handler. Retries and a timeout are optional.
const sendWelcome = defineTask({
  name: 'send-welcome-email',
  retry: linearRetry(3, '1s'), // up to 3 more attempts, 1 s apart
  timeout: '30s', // the handler's ctx.signal aborts after 30 s
  handler: async (payload: { email: string }, ctx) => {
    ctx.logger.information('Sending the welcome mail to {email}', payload.email);
    await new Promise((resolve) => setTimeout(resolve, 100)); // your real work goes here
  },
});

// 2. An engine over a SQLite file: every task and status change is stored there.
const everTask = new EverTask({
  storage: new SqliteStorage({ filename: process.env.EVERTASK_DB ?? 'tasks.db' }),
  tasks: [sendWelcome],
  defaults: { logs: { enabled: true } }, // keep ctx.logger lines with the task (for the dashboard)
});
everTask.on('task:completed', (e) => console.log(`completed ${e.taskName} (attempt ${e.attempt}, ${e.durationMs} ms)`));
await everTask.start();

// 3. Dispatch: now, after a delay, and on a recurring schedule.
const now = await everTask.dispatch(sendWelcome, { email: 'ada@example.com' });
const later = await everTask.dispatch(sendWelcome, { email: 'bob@example.com' }, { delay: '2s' });
await everTask.dispatch(sendWelcome, { email: 'team@example.com' }, {
  recurring: (s) => s.everyDay().atTime('09:00').timeZone('Europe/Rome'),
  taskKey: 'daily-digest', // registered once, however often the program starts
});

// 4. See them complete: wait for the delayed one's event, then read both from the storage.
// (The engine's timers never keep a process alive; in a server the server does. Here, an interval.)
const keepAlive = setInterval(() => {}, 1000);
await everTask.once('task:completed', (e) => e.taskId === later);
clearInterval(keepAlive);
for (const id of [now, later]) {
  const task = await everTask.getTask(id);
  console.log(`task ${id}: ${task?.status} after ${task?.attempts} attempt(s)`);
}
for (const series of await everTask.recurring()) {
  console.log(`${series.taskKey} runs ${series.description}, next at ${series.nextRunAt?.toISOString()}`);
}

// 5. Stop gracefully: running tasks finish (or run again at the next start).
await everTask.stop();
