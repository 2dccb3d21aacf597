/**
 * Express 5: the engine starts before the server listens, the monitor is mounted under
 * /evertask, and SIGTERM closes the server then stops the engine gracefully.
 * Run: `MONITOR_PASSWORD=... npm run express --workspace examples`.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createMonitor } from '@evertask/monitor';
import { createEngine, listenPort, monitorOptions, sendWelcome, stopOnSignals } from '../shared/tasks.js';

const everTask = createEngine();
await everTask.start();
const monitor = createMonitor(monitorOptions(everTask));

const app = express();
// mount the monitor before body parsers (it reads its own request bodies); with `next`,
// requests outside /evertask fall through to the app's own routes
app.use(monitor.handler);
app.use(express.json());
app.post('/signup', async (req, res) => {
  const email: unknown = req.body?.email;
  if (typeof email !== 'string') {
    res.status(400).json({ error: 'body.email must be a string' });
    return;
  }
  res.status(202).json({ taskId: await everTask.dispatch(sendWelcome, { email }) });
});

const server = app.listen(listenPort(), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

stopOnSignals(async () => {
  monitor.close(); // ends live-event streams so the server can close
  server.closeIdleConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  await everTask.stop({ closeStorage: true });
});
