import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { TaskDetail } from '@evertask/monitor';
import { login, get, type Credentials } from '../../packages/monitor/test/support/http-client.js';
import { waitFor } from '../../packages/evertask/test/support/wait-for.js';

const EXAMPLES = fileURLToPath(new URL('..', import.meta.url));
export const PASSWORD = 'example-password-1';

/** A framework example running as its own process, on a free port and its own SQLite file. */
export interface RunningExample {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `examples/<file>` with tsx (with `tsconfig`, relative to examples/, for its compiler options) and resolves once it prints `listening on <url>`. */
export async function runExample(file: string, tsconfig?: string): Promise<RunningExample> {
  const dir = mkdtempSync(join(tmpdir(), 'evertask-example-'));
  const child = spawn(process.execPath, ['--conditions=evertask-source', '--import', 'tsx', file], {
    cwd: EXAMPLES,
    env: { ...process.env, ...(tsconfig === undefined ? {} : { TSX_TSCONFIG_PATH: tsconfig }), PORT: '0', EVERTASK_SQLITE: join(dir, 'tasks.db'), MONITOR_PASSWORD: PASSWORD, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  await waitFor(() => gone || /listening on (http:\S+)/.test(text), 60_000, `${file} to listen`);
  const url = /listening on (http:\S+)/.exec(text)?.[1];
  if (url === undefined) throw new Error(`${file} exited before listening:\n${text}`);
  return {
    url,
    child,
    output: () => text,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Dispatches through the app's POST /signup and waits, through the mounted monitor, for the task to complete. */
export async function dispatchAndSeeCompleted(example: RunningExample): Promise<void> {
  const refused = await fetch(`${example.url}/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":42}' });
  expect(refused.status).toBe(400);
  const answer = await fetch(`${example.url}/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ada@example.com' }),
  });
  expect(answer.status).toBe(202);
  const { taskId } = (await answer.json()) as { taskId: string };
  const monitor = `${example.url}/evertask`;
  expect((await fetch(`${monitor}/api/tasks/${taskId}`)).status).toBe(401);
  const credentials: Credentials = await login(monitor, { username: 'admin', password: PASSWORD });
  let status = '';
  await waitFor(async () => {
    const task = await get<TaskDetail>(monitor, `/api/tasks/${taskId}`, credentials);
    status = task.status === 200 ? task.body.status : `HTTP ${task.status}`;
    return status === 'completed';
  }, 30_000, `task ${taskId} to complete (last seen: ${status})`);
  expect(status).toBe('completed');
}
