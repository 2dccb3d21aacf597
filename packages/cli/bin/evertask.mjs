#!/usr/bin/env node
// The `evertask` command. In this repository (the sources and tsx are present) it runs the
// TypeScript sources through tsx with the workspace's source condition, so `npm start` never runs
// a stale build; a published package (no src/ in the tarball) runs its compiled CLI.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

function resolvesTsx() {
  try {
    createRequire(import.meta.url).resolve('tsx');
    return true;
  } catch {
    return false;
  }
}

if (existsSync(source) && resolvesTsx()) {
  const child = spawnSync(process.execPath, ['--conditions=evertask-source', '--import', 'tsx', source, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exitCode = child.status ?? 1;
} else {
  await import(new URL('../dist/bin.js', import.meta.url).href);
}
