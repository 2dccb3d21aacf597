import { execFile } from 'node:child_process';
import { expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { SoakResult } from '../soak/run-soak.js';
import type { SoakStorageName } from '../soak/soak-options.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The short soak run of `npm test`: `seconds` of load on one storage in a child process (its own heap), as `npm run soak` runs it. */
export async function shortSoak(storage: SoakStorageName, seconds: number): Promise<{ result: Omit<SoakResult, 'samples'>; report: string }> {
  const out = mkdtempSync(join(tmpdir(), `evertask-soak-test-${storage}-`));
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--conditions=evertask-source', '--import', 'tsx', 'scripts/soak/run.ts', '--seconds', String(seconds), '--storage', storage, '--rate', '50', '--live-heap-every', '2', '--out', out, '--json'],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024, timeout: (seconds + 120) * 1000 },
    );
    const [result] = JSON.parse(stdout) as Omit<SoakResult, 'samples'>[];
    if (result === undefined) throw new Error(`the soak printed no result; stderr:\n${stderr}`);
    return { result, report: stderr };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Runs the short soak and checks it: within the bounds, every kind of outcome seen, no dispatch refused. */
export async function expectShortSoakWithinBounds(storage: SoakStorageName, seconds = 50): Promise<void> {
  const { result, report } = await shortSoak(storage, seconds);
  expect(result.violations, report).toEqual([]);
  expect(result.finished, report).toBeGreaterThan(0);
  expect(result.failed, report).toBeGreaterThan(0);
  expect(result.retried, report).toBeGreaterThan(0);
  expect(result.dispatchErrors, report).toBe(0);
}
