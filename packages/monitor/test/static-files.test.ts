import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EverTask, silentLogger } from 'evertask';
import { SqliteStorage } from '@evertask/sqlite';
import { MonitorOptionsError, startMonitorServer, type MonitorServer } from '../src/index.js';
import { fileInside } from '../src/static-files.js';
import { USERS } from './support/monitor-fixture.js';

/** A raw GET that sends the path exactly as written (fetch would normalise `..`). */
function rawGet(origin: string, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(origin);
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serving a built dashboard', () => {
  let directory: string;
  let everTask: EverTask;
  const servers: MonitorServer[] = [];

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'evertask-static-'));
    const app = join(directory, 'app');
    mkdirSync(join(app, 'assets'), { recursive: true });
    writeFileSync(join(app, 'index.html'), '<!doctype html><html><head><title>dash</title></head><body>the page</body></html>');
    writeFileSync(join(app, 'assets', 'main-abc123.js'), 'console.log("app")');
    writeFileSync(join(app, 'assets', 'main-abc123.css'), 'body{}');
    writeFileSync(join(app, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(directory, 'secret.txt'), 'outside the dashboard');
    // links inside the served folder: one to a file outside it, one to a folder outside it, one to a file inside
    symlinkSync(join(directory, 'secret.txt'), join(app, 'leak.txt'));
    mkdirSync(join(directory, 'private'));
    writeFileSync(join(directory, 'private', 'key.txt'), 'outside the dashboard');
    symlinkSync(join(directory, 'private'), join(app, 'assets', 'linked'));
    symlinkSync(join(app, 'favicon.svg'), join(app, 'icon.svg'));
    everTask = new EverTask({ storage: new SqliteStorage({ filename: ':memory:' }), tasks: [], logger: silentLogger });
    await everTask.start();
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await everTask.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  async function serve(basePath = ''): Promise<string> {
    const server = await startMonitorServer({ everTask, auth: { users: USERS }, basePath, port: 0, dashboard: join(directory, 'app') });
    servers.push(server);
    return server.url;
  }

  it('serves the files with their content types and the page with <base href> at the root', async () => {
    const url = await serve();
    const page = await rawGet(url, '/');
    expect(page).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(page.body).toContain('<head><base href="/">');
    expect(await rawGet(url, '/assets/main-abc123.js')).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8', body: 'console.log("app")' });
    expect(await rawGet(url, '/assets/main-abc123.css')).toMatchObject({ status: 200, type: 'text/css; charset=utf-8' });
    expect(await rawGet(url, '/favicon.svg')).toMatchObject({ status: 200, type: 'image/svg+xml' });
    const asset = await fetch(`${url}/assets/main-abc123.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('answers the page for the app\'s own routes (SPA fallback) and 404 for a missing asset', async () => {
    const url = await serve('/ops');
    for (const path of ['/ops', '/ops/', '/ops/tasks', '/ops/tasks/0190abcd-1234']) {
      const page = await rawGet(url.replace('/ops', ''), path);
      expect(page.status, path).toBe(200);
      expect(page.body).toContain('<base href="/ops/">');
    }
    expect((await rawGet(url.replace('/ops', ''), '/ops/assets/gone-999.js')).status).toBe(404);
    expect((await rawGet(url.replace('/ops', ''), '/elsewhere')).status).toBe(404);
  });

  it('keeps the API and its errors under /api, and the API still needs a token', async () => {
    const url = await serve();
    const unknown = await rawGet(url, '/api/no-such-route');
    expect(unknown.type).toContain('application/json');
    expect(unknown.status).toBe(401);
    expect((await rawGet(url, '/api/tasks')).status).toBe(401);
  });

  it('never follows a symbolic link out of its directory, and serves one that stays inside', async () => {
    const url = await serve();
    for (const path of ['/leak.txt', '/assets/linked/key.txt']) {
      const answer = await rawGet(url, path);
      expect(answer.status, path).toBe(404);
      expect(answer.body, path).not.toContain('outside the dashboard');
    }
    expect(await rawGet(url, '/icon.svg')).toMatchObject({ status: 200, type: 'image/svg+xml' });
  });

  it('never serves a file outside its directory', async () => {
    const url = await serve();
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt', '/%2e%2e%5csecret.txt', '/a%00.js']) {
      const answer = await rawGet(url, path);
      expect(answer.body, path).not.toContain('outside the dashboard');
    }
    expect(fileInside('/srv/app', '/../secret.txt')).toBeUndefined();
    expect(fileInside('/srv/app', '/..%2fsecret.txt')).toBeUndefined();
    expect(fileInside('/srv/app', '/%E0%A4%A')).toBeUndefined();
    expect(fileInside('/srv/app', '/assets/x.js')).toBe('/srv/app/assets/x.js');
  });

  it('never serves a file outside its directory by absolute, double-encoded, mixed-case or backslashed paths', async () => {
    const url = await serve();
    const secret = join(directory, 'secret.txt');
    const paths = [
      `/${secret}`,
      `//${secret}`,
      encodeURIComponent(secret),
      `/${encodeURIComponent(secret)}`,
      '/%2E%2E/secret.txt',
      '/%2e%2E%2fsecret.txt',
      '/%252e%252e/secret.txt',
      '/..\\secret.txt',
      '/assets/..\\..\\secret.txt',
      '/assets/%5c..%5c..%5csecret.txt',
      '/./.././secret.txt',
      '/assets/../../secret.txt',
      '/%c0%ae%c0%ae/secret.txt',
      '/..%00/secret.txt',
    ];
    for (const path of paths) {
      const answer = await rawGet(url, path);
      expect(answer.body, path).not.toContain('outside the dashboard');
      expect([200, 400, 404], path).toContain(answer.status);
    }
    for (const path of paths) expect(fileInside(join(directory, 'app'), path) ?? join(directory, 'app'), path).not.toBe(secret);
  });

  it('refuses a dashboard directory without index.html, naming it and the fix', async () => {
    const refused = startMonitorServer({ everTask, auth: false, dashboard: directory });
    await expect(refused).rejects.toThrow(MonitorOptionsError);
    await expect(refused).rejects.toThrow(/holds no index\.html; build the dashboard/);
  });
});
