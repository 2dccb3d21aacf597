import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStorage } from '@evertask/sqlite';
import { runCli } from '../src/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'evertask-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('evertask demo', () => {
  it('runs the demo on a SQLite file, stops gracefully, and a second run continues the same file', async () => {
    const file = join(dir, 'demo.db');
    let out = '';
    let served!: (url: string) => void;
    const dashboardUrl = new Promise<string>((resolve) => (served = resolve));
    const running = runCli(['demo', '--file', file, '--seconds', '4', '--port', '0'], {
      out: (t) => {
        out += t;
        const url = /Dashboard at (\S+)/.exec(t)?.[1];
        if (url !== undefined) served(url);
      },
      err: (t) => (out += t),
    });
    // the dashboard is served while the demo runs, behind a generated password
    const url = await dashboardUrl;
    const page = await fetch(url);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<div id="root">');
    expect((await fetch(`${url}api/tasks`)).status).toBe(401);
    const password = /with password (\S+) \(generated/.exec(out)?.[1];
    const login = await fetch(`${url}api/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'admin', password }) });
    expect(login.status).toBe(200);
    expect(await running).toBe(0);
    for (const line of ['completed   send-welcome-email', 'retrying    import-orders', 'failed      charge-card', 'throttled   call-partner', 'cancelled   send-welcome-email', 'completed   heartbeat', 'stopping gracefully']) {
      expect(out).toContain(line);
    }
    const storage = new SqliteStorage({ filename: file });
    await storage.open();
    const [series] = (await storage.query({ recurring: true })).items;
    expect(series?.runCount).toBeGreaterThanOrEqual(1);
    await storage.close();

    let again = '';
    expect(await runCli(['demo', '--file', file, '--seconds', '1', '--no-dashboard'], { out: (t) => (again += t), err: (t) => (again += t) })).toBe(0);
    const storage2 = new SqliteStorage({ filename: file });
    await storage2.open();
    expect((await storage2.query({ recurring: true })).total).toBe(1); // re-registered, not duplicated
    await storage2.close();
  }, 30_000);

  it('refuses a bad --seconds with exit code 2', async () => {
    let err = '';
    expect(await runCli(['demo', '--seconds', 'soon'], { out: () => undefined, err: (t) => (err += t) })).toBe(2);
    expect(err).toContain('--seconds');
  });

  it('runs through the evertask bin from a checkout without a build', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const result = spawnSync(process.execPath, [join(here, '..', 'bin', 'evertask.mjs'), '--help'], {
      cwd: resolve(here, '..', '..', '..'),
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('evertask demo');
  });
});
