import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EverTask, defineTask, silentLogger } from 'evertask';
import { SqliteStorage } from '@evertask/sqlite';
import type { TasksPage } from '@evertask/monitor';
import { runCli } from '../src/cli.js';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'evertask-dashboard-cli-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const later = defineTask({ name: 'send-invoice', handler: async (_payload: { invoice: number }) => undefined });

/** Stores tasks in a SQLite file with an engine that is stopped before the dashboard reads it. */
async function seededFile(): Promise<{ file: string; ids: string[] }> {
  const file = join(dir, `tasks-${Math.random().toString(36).slice(2)}.db`);
  const everTask = new EverTask({ storage: new SqliteStorage({ filename: file }), tasks: [later], logger: silentLogger });
  await everTask.start();
  const ids = [await everTask.dispatch(later, { invoice: 1 }, { delay: '1h' }), await everTask.dispatch(later, { invoice: 2 }, { delay: '1h' })];
  await everTask.stop();
  await everTask.storage.close();
  return { file, ids };
}

/** Starts `evertask dashboard …` as a child process and waits for the address it prints. */
function startDashboard(args: string[]): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  // the source entry point itself (what bin/evertask.mjs runs without a build), so signals reach it
  const child = spawn(process.execPath, ['--conditions=evertask-source', '--import', 'tsx', join(here, '..', 'src', 'bin.ts'), 'dashboard', ...args], {
    cwd: resolve(here, '..', '..', '..'),
  });
  children.push(child);
  let output = '';
  return new Promise((resolveStart, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const url = /Dashboard at (\S+)/.exec(output)?.[1];
      if (url !== undefined && output.includes('Ctrl+C stops')) resolveStart({ child, url, output: () => output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`evertask dashboard exited with ${code}: ${output}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
}

describe('evertask dashboard', () => {
  it('serves the dashboard and the API over a SQLite file with the given account, runs nothing, and cancels; SIGTERM stops it', async () => {
    const { file, ids } = await seededFile();
    const { child, url } = await startDashboard(['--sqlite', file, '--port', '0', '--user', 'ops', '--password', 'ops-password-1']);
    expect(await (await fetch(url)).text()).toContain('<div id="root">');
    expect((await fetch(`${url}api/tasks`)).status).toBe(401);
    const login = await fetch(`${url}api/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'ops', password: 'ops-password-1' }) });
    const { token } = (await login.json()) as { token: string };
    const page = (await (await fetch(`${url}api/tasks`, { headers: { Authorization: `Bearer ${token}` } })).json()) as TasksPage;
    expect(page.items.map((item) => item.id).sort()).toEqual([...ids].sort());
    expect(page.items.every((item) => item.status === 'waiting')).toBe(true);
    const cancel = await fetch(`${url}api/tasks/${ids[0]}/cancel`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    expect(cancel.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    const storage = new SqliteStorage({ filename: file });
    await storage.open();
    expect((await storage.get(ids[0] as string))?.status).toBe('cancelled');
    expect((await storage.get(ids[1] as string))?.status).toBe('waiting');
    await storage.close();
  }, 60_000);

  it('prints a generated password once by default, and --no-auth opens it', async () => {
    const { file } = await seededFile();
    const generated = await startDashboard(['--sqlite', file, '--port', '0']);
    const password = /Sign in as admin with password (\S+) \(generated/.exec(generated.output())?.[1];
    expect(password).toBeDefined();
    const login = await fetch(`${generated.url}api/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'admin', password }) });
    expect(login.status).toBe(200);
    generated.child.kill('SIGTERM');
    await exited(generated.child);

    const open = await startDashboard(['--sqlite', file, '--port', '0', '--no-auth']);
    expect((await fetch(`${open.url}api/tasks`)).status).toBe(200);
    open.child.kill('SIGTERM');
    expect(await exited(open.child)).toBe(0);
  }, 60_000);

  it.each([
    [[], 'exactly one storage'],
    [['--sqlite', 'a.db', '--postgres', 'postgres://x'], 'exactly one storage'],
    [['--sqlite', 'a.db', '--user', 'ops'], '--user and --password go together'],
    [['--sqlite', 'a.db', '--no-auth', '--user', 'ops', '--password', 'ops-password-1'], 'contradict'],
    [['--sqlite', 'a.db', '--port', '70000'], '--port must be a port number'],
    [['--sqlite', 'a.db', '--port', 'http'], 'received "http"'],
    [['--sqlite', join(dir, 'bind.db'), '--host', '0.0.0.0'], 'loopback address only'],
    [['--sqlite', join(dir, 'bind.db'), '--host', '0.0.0.0', '--no-auth'], 'will not listen on "0.0.0.0" without credentials'],
    [['--sqlite', join(dir, 'short.db'), '--port', '0', '--user', 'ops', '--password', 'short'], 'password must be a string of at least 8 characters'],
  ])('refuses %j with exit code 2 and says why', async (args, message) => {
    let err = '';
    expect(await runCli(['dashboard', ...args], { out: () => undefined, err: (text) => (err += text) })).toBe(2);
    expect(err).toContain(message);
  });
});
