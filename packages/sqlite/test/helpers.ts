import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newStoredTask, uuidv7, type ExecutionLogEntry, type StoredTask } from 'evertask';

/** A fresh temporary directory; `cleanup()` removes it with everything inside. */
export function tempDir(label = 'evertask-sqlite-'): { dir: string; file: (name?: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), label));
  return {
    dir,
    file: (name = 'tasks.db') => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const T0 = Date.UTC(2026, 0, 1);

/** A valid stored task; `overrides` replace fields. */
export function makeTask(overrides: Partial<StoredTask> = {}): StoredTask {
  const createdAt = overrides.createdAt ?? T0;
  return newStoredTask({ id: uuidv7(createdAt), name: 'send-email', payload: '{"to":"a@b.c"}', createdAt, ...overrides });
}

/** An execution log entry of `taskId` (message `m<sequence>` unless given). */
export function log(taskId: string, at: number, sequence: number, message = `m${sequence}`): ExecutionLogEntry {
  return { id: uuidv7(at), taskId, at, level: 'information', message, exception: null, sequence };
}

const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const repoRoot = join(fixturesDir, '..', '..', '..', '..');

/**
 * Starts a fixture script in a real child process (TypeScript through tsx, workspace sources
 * through the `evertask-source` condition). `lines` yields its stdout line by line; `exited`
 * resolves with the exit code or signal.
 */
export function spawnFixture(script: string, args: string[]) {
  const child = spawn(process.execPath, ['--conditions=evertask-source', '--import', 'tsx', join(fixturesDir, script), ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let buffered = '';
  const lines: string[] = [];
  const lineWaiters: (() => void)[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let at: number;
    while ((at = buffered.indexOf('\n')) >= 0) {
      lines.push(buffered.slice(0, at));
      buffered = buffered.slice(at + 1);
    }
    for (const wake of lineWaiters.splice(0)) wake();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      for (const wake of lineWaiters.splice(0)) wake();
      resolve({ code, signal });
    });
  });
  let read = 0;
  return {
    child,
    exited,
    stderr: () => stderr,
    /** The next stdout line, parsed as JSON; rejects when the process exits first. */
    async nextJson<T>(): Promise<T> {
      while (read >= lines.length) {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`${script} exited (${child.exitCode ?? child.signalCode}) before printing a line: ${stderr}`);
        }
        await new Promise<void>((resolve) => lineWaiters.push(resolve));
      }
      return JSON.parse(lines[read++] as string) as T;
    },
  };
}

/** Polls `check` every `everyMs` until it returns true; throws after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
