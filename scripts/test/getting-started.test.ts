import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PROGRAM = join(REPO, 'examples', 'getting-started.ts');
const PAGE = join(REPO, 'docs', 'getting-started.md');
const TSX = join(REPO, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');
const dir = mkdtempSync(join(tmpdir(), 'evertask-getting-started-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The program between the page's getting-started markers. */
function programOnPage(): string {
  const page = readFileSync(PAGE, 'utf8');
  const match = /<!-- getting-started:begin -->\n```ts\n([\s\S]*?)\n```\n<!-- getting-started:end -->/.exec(page);
  if (match === null) throw new Error(`${PAGE} has no getting-started:begin/end block`);
  return match[1]!;
}

/** Runs the program as a reader would, in a folder of its own, on a SQLite file there. */
function run() {
  return spawnSync(process.execPath, ['--conditions=evertask-source', '--import', TSX, PROGRAM], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, EVERTASK_DB: join(dir, 'tasks.db') },
    timeout: 120_000,
  });
}

describe('docs/getting-started.md', () => {
  it('shows examples/getting-started.ts verbatim', () => {
    expect(programOnPage()).toBe(readFileSync(PROGRAM, 'utf8').trimEnd());
  });

  it('runs end to end: both tasks complete, the series is registered once however often it starts', () => {
    for (const round of [1, 2]) {
      const result = run();
      expect(result.stderr, `round ${round}`).toBe('');
      expect(result.status, `round ${round}`).toBe(0);
      const lines = result.stdout.trim().split('\n');
      expect(lines.filter((l) => /^completed send-welcome-email \(attempt 1, \d+ ms\)$/.test(l))).toHaveLength(2);
      expect(lines.filter((l) => /^task [0-9a-f-]{36}: completed after 1 attempt\(s\)$/.test(l))).toHaveLength(2);
      expect(lines.filter((l) => l.startsWith('daily-digest runs every day at 09:00 (Europe/Rome), next at '))).toHaveLength(1);
    }
    expect(existsSync(join(dir, 'tasks.db'))).toBe(true);
  }, 240_000);
});
