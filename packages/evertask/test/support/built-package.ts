/**
 * The package as published, for the adapters' built-package tests: builds the core and the
 * adapter to dist/ (removing the adapter's copied migrations first, so that a stale copy from an
 * earlier build cannot make the test pass), then runs a script with plain Node (no source
 * condition, no tsx) and returns what its last line printed as JSON.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** `workspace` is the adapter's folder (`packages/mysql`); `script` an ES module body. */
export function runBuiltPackage<T>(workspace: string, script: string, env: Record<string, string>): T {
  rmSync(join(ROOT, workspace, 'dist', 'migrations'), { recursive: true, force: true });
  for (const name of ['packages/evertask', workspace]) {
    execFileSync('npm', ['run', 'build', '--silent', '-w', name], { cwd: ROOT, stdio: 'pipe' });
  }
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    encoding: 'utf8',
  });
  return JSON.parse(output.trim().split('\n').at(-1) as string) as T;
}
