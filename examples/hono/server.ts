/**
 * Hono 4 on @hono/node-server: the monitor's Hono app is routed into the application's,
 * the engine starts before the server listens, and SIGTERM closes the server then stops the engine.
 * Run: `MONITOR_PASSWORD=... npm run hono --workspace examples`.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { createMonitor } from '@evertask/monitor';
import { createEngine, listenPort, monitorOptions, sendWelcome, stopOnSignals } from '../shared/tasks.js';

const everTask = createEngine();
await everTask.start();
const monitor = createMonitor(monitorOptions(everTask));

const app = new Hono();
app.post('/signup', async (c) => {
  const body: unknown = await c.req.json().catch(() => undefined);
  const email = typeof body === 'object' && body !== null ? (body as { email?: unknown }).email : undefined;
  if (typeof email !== 'string') return c.json({ error: 'body.email must be a string' }, 400);
  return c.json({ taskId: await everTask.dispatch(sendWelcome, { email }) }, 202);
});
app.route('/', monitor.app); // its routes already carry the /evertask base path

const server = serve({ fetch: app.fetch, port: listenPort(), hostname: '127.0.0.1' }, (info: AddressInfo) => {
  console.log(`listening on http://127.0.0.1:${info.port}`);
}) as Server;

stopOnSignals(async () => {
  monitor.close();
  server.closeIdleConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  await everTask.stop({ closeStorage: true });
});
