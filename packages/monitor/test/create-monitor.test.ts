import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { EverTask, silentLogger } from 'evertask';
import { SqliteStorage } from '@evertask/sqlite';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import type { ApiErrorBody, MonitorConfigResponse, TasksPage } from '../src/index.js';
import { createMonitor, startMonitorServer } from '../src/index.js';
import { ADMIN, USERS, describeEachBackend, quickTask } from './support/monitor-fixture.js';
import { call, get, login } from './support/http-client.js';

async function listening(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closed(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

await describeEachBackend(import.meta.url, 'mounting', (fixture) => {
  it('mounts under a path prefix in a plain node:http server, passing other paths to next()', async () => {
    const monitor = createMonitor({ everTask: fixture().everTask, auth: { users: USERS }, basePath: '/ops/evertask' });
    const server = createServer((request, response) =>
      monitor.handler(request, response, () => {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('the application');
      }),
    );
    const origin = await listening(server);
    try {
      const base = `${origin}/ops/evertask`;
      const config = await call<MonitorConfigResponse>(`${base}/api/config`);
      expect(config.body).toMatchObject({ apiBasePath: '/ops/evertask/api', metricsPath: '/ops/evertask/metrics' });
      const answer = await fetch(`${base}/api/auth/login`, { method: 'POST', body: JSON.stringify(ADMIN) });
      expect(answer.headers.getSetCookie()[0]).toContain('Path=/ops/evertask');
      const id = await fixture().everTask.dispatch(quickTask, { n: 1 });
      const credentials = await login(base);
      const tasks = await get<TasksPage>(base, '/api/tasks', credentials);
      expect(tasks.body.items.map((item) => item.id)).toContain(id);
      expect(await (await fetch(`${origin}/elsewhere`)).text()).toBe('the application');
      expect(await (await fetch(`${origin}/ops/evertaskish`)).text()).toBe('the application');
    } finally {
      monitor.close();
      await closed(server);
    }
  });

  it('keeps the full path when Express-style routers strip the mount path (originalUrl)', async () => {
    const monitor = createMonitor({ everTask: fixture().everTask, auth: false, basePath: '/evertask' });
    const server = createServer((request, response) => {
      const full = request.url ?? '/';
      // what Express does under app.use('/evertask', handler)
      Object.assign(request, { originalUrl: full, url: full.replace(/^\/evertask/, '') || '/' });
      monitor.handler(request, response);
    });
    const origin = await listening(server);
    try {
      expect((await call(`${origin}/evertask/api/tasks`)).status).toBe(200);
    } finally {
      monitor.close();
      await closed(server);
    }
  });

  it('mounts in a Hono application beside its own routes', async () => {
    const monitor = createMonitor({ everTask: fixture().everTask, auth: { users: USERS }, basePath: '/evertask' });
    const parent = new Hono();
    parent.get('/hello', (c) => c.text('hello from the app'));
    parent.route('/', monitor.app);
    const server = serve({ fetch: parent.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await new Promise((resolve) => (server.listening ? resolve(undefined) : server.once('listening', resolve)));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await (await fetch(`${origin}/hello`)).text()).toBe('hello from the app');
      expect((await call(`${origin}/evertask/api/tasks`)).status).toBe(401);
      const credentials = await login(`${origin}/evertask`);
      expect((await get(`${origin}/evertask`, '/api/tasks', credentials)).status).toBe(200);
      const viaFetch = await monitor.fetch(new Request('http://monitor.local/evertask/api/config'));
      expect(viaFetch.status).toBe(200);
    } finally {
      monitor.close();
      await closed(server);
    }
  });
});

describe('a storage failure', () => {
  it('answers 500 ERR_INTERNAL naming the storage, and the monitor keeps serving', async () => {
    const storage = new SqliteStorage({ filename: ':memory:' });
    const everTask = new EverTask({ storage, tasks: [quickTask], logger: silentLogger });
    await everTask.start();
    const reported: string[] = [];
    const logger = { ...silentLogger, error: (message: string) => reported.push(message) };
    const monitor = createMonitor({ everTask, auth: false, logger });
    try {
      expect((await monitor.fetch(new Request('http://monitor.local/api/tasks'))).status).toBe(200);
      await everTask.stop({ closeStorage: true });
      const failed = await monitor.fetch(new Request('http://monitor.local/api/tasks'));
      expect(failed.status).toBe(500);
      const body = (await failed.json()) as ApiErrorBody;
      expect(body.error.code).toBe('ERR_INTERNAL');
      expect(body.error.message).toMatch(/^Storage failure: /);
      expect(reported).toEqual([expect.stringContaining('GET /api/tasks failed: ')]);
      expect((await monitor.fetch(new Request('http://monitor.local/api/config'))).status).toBe(200);
    } finally {
      monitor.close();
    }
  });
});

describe('actions', () => {
  it('are reported to the logger with the user who made them', async () => {
    const everTask = new EverTask({ tasks: [quickTask], logger: silentLogger });
    await everTask.start();
    const reported: { message: string; meta: Record<string, unknown> | undefined }[] = [];
    const logger = { ...silentLogger, info: (message: string, meta?: Record<string, unknown>) => reported.push({ message, meta }) };
    const server = await startMonitorServer({ everTask, auth: { users: USERS }, logger, port: 0 });
    try {
      const id = await everTask.dispatch(quickTask, { n: 1 }, { delay: '1h' });
      const credentials = await login(server.url);
      const answer = await call(`${server.url}/api/tasks/${id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${credentials.token}` } });
      expect(answer.status).toBe(200);
      expect(reported).toEqual([{ message: `[@evertask/monitor] admin cancelled task ${id} (quick, was waiting).`, meta: { actor: 'admin', taskId: id } }]);
    } finally {
      await server.close();
      await everTask.stop();
    }
  });
});
