/**
 * The README's quick start, runnable: `npm run quick-start --workspace examples`.
 * In-memory storage, a task with retries and a timeout, an immediate, a delayed and a recurring
 * dispatch, an event listener, and a graceful stop.
 */
import { EverTask, defineTask, linearRetry, nextOccurrences } from 'evertask';

const sendWelcome = defineTask({
  name: 'send-welcome-email',
  retry: linearRetry(3, '200ms'),
  timeout: '5s',
  handler: async (payload: { email: string }, ctx) => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    ctx.logger.information('Sent welcome mail to {email}', payload.email);
  },
});

const everTask = new EverTask({ tasks: [sendWelcome] });
everTask.on('task:completed', (e) => console.log(`${e.taskName} ${e.taskId.slice(-8)} done in ${e.durationMs} ms`));
await everTask.start();

const id = await everTask.dispatch(sendWelcome, { email: 'ada@example.com' });
await everTask.dispatch(sendWelcome, { email: 'bob@example.com' }, { delay: '500ms' });
await everTask.dispatch(sendWelcome, { email: 'digest@example.com' }, {
  recurring: (s) => s.everyDay().atTime('09:00').timeZone('Europe/Rome'),
  taskKey: 'daily-digest',
});
console.log('daily digest runs next at', nextOccurrences((s) => s.everyDay().atTime('09:00').timeZone('Europe/Rome'), { count: 2 }).map((d) => d.toISOString()));

await new Promise((resolve) => setTimeout(resolve, 1000));
console.log(await everTask.getTask(id));
await everTask.stop();
