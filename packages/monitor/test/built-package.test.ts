/**
 * The package as published: `npm run build` compiles to dist/, and plain Node (no source
 * condition, no tsx) imports it, serves a monitor and answers a login and a task list.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const SERVE_BUILT_PACKAGE = `
const { EverTask, defineTask, silentLogger } = await import('evertask');
const { startMonitorServer } = await import('@evertask/monitor');
const resolved = import.meta.resolve('@evertask/monitor');
const hello = defineTask({ name: 'hello', handler: async () => undefined });
const everTask = new EverTask({ tasks: [hello], logger: silentLogger });
await everTask.start();
const id = await everTask.dispatch(hello, {});
const server = await startMonitorServer({ everTask, auth: { users: [{ username: 'ops', password: 'built-package-1' }] }, port: 0 });
const login = await fetch(server.url + '/api/auth/login', { method: 'POST', body: JSON.stringify({ username: 'ops', password: 'built-package-1' }) });
const { token } = await login.json();
const list = await (await fetch(server.url + '/api/tasks', { headers: { authorization: 'Bearer ' + token } })).json();
await server.close();
await everTask.stop();
console.log(JSON.stringify({ resolved, ids: list.items.map((item) => item.id), expected: id }));
`;

describe('the built @evertask/monitor', () => {
  it('serves the API when run by plain Node from dist', { timeout: 180_000 }, () => {
    // a stale build must not make this pass
    rmSync(new URL('../dist/', import.meta.url), { recursive: true, force: true });
    for (const workspace of ['packages/evertask', 'packages/monitor']) {
      execFileSync('npm', ['run', 'build', '--silent', '-w', workspace], { cwd: ROOT, stdio: 'pipe' });
    }
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', SERVE_BUILT_PACKAGE], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '' },
      encoding: 'utf8',
    });
    const result = JSON.parse(output.trim().split('\n').at(-1) as string) as { resolved: string; ids: string[]; expected: string };
    expect(result.resolved).toMatch(/\/packages\/monitor\/dist\/index\.js$/);
    expect(result.ids).toEqual([result.expected]);
  });
});
