/**
 * A worker process of the multi-process tests: `node --conditions=evertask-source --import tsx
 * <script> '<json config>'` from the repository root, started by `startWorker` (no vitest here, so
 * that the chaos suite's command line can use it too).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** A worker process started by `startWorker`. */
export interface Worker {
  id: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
}

/** Starts a worker process (its config passed as JSON in argv[2]); resolves once it prints "ready". */
export function startWorker(script: string, config: { instanceId: string }): Promise<Worker> {
  const child = spawn(process.execPath, ['--conditions=evertask-source', '--import', 'tsx', script, JSON.stringify(config)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolvePromise, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready\n')) resolvePromise({ id: config.instanceId, child, exited, stderr: () => err });
    });
    void exited.then((code) => reject(new Error(`worker ${config.instanceId} exited with ${code} before it was ready: ${err}`)));
  });
}

