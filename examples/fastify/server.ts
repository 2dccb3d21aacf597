/**
 * Fastify 5: the engine starts in an onReady hook and stops in onClose; the monitor is mounted
 * under /evertask by handing the raw request to its Node handler; SIGTERM closes the app.
 * Run: `MONITOR_PASSWORD=... npm run fastify --workspace examples`.
 */
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { createMonitor } from '@evertask/monitor';
import { createEngine, listenPort, monitorOptions, sendWelcome, stopOnSignals } from '../shared/tasks.js';

const everTask = createEngine();
const monitor = createMonitor(monitorOptions(everTask));
const app = Fastify();

app.addHook('onReady', async () => {
  await everTask.start();
});
app.addHook('preClose', async () => {
  monitor.close(); // ends live-event streams so the server can close
});
app.addHook('onClose', async () => {
  await everTask.stop({ closeStorage: true });
});

app.post<{ Body: { email?: unknown } }>('/signup', async (request, reply) => {
  const email = request.body?.email;
  if (typeof email !== 'string') return reply.code(400).send({ error: 'body.email must be a string' });
  return reply.code(202).send({ taskId: await everTask.dispatch(sendWelcome, { email }) });
});

// the monitor reads its own bodies: take every method and content type under /evertask raw
app.register(async (scope) => {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
  const toMonitor = (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    monitor.handler(request.raw, reply.raw);
  };
  scope.all('/evertask', toMonitor);
  scope.all('/evertask/*', toMonitor);
});

const url = await app.listen({ port: listenPort(), host: '127.0.0.1' });
console.log(`listening on ${url}`);

stopOnSignals(() => app.close());
