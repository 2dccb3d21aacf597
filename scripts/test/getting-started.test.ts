import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PROGRAM = join(REPO, 'examples', 'getting-started.ts');
const TSX = join(REPO, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');
const dir = mkdtempSync(join(tmpdir(), 'evertask-getting-started-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The blocks of the docs marked `<!-- example: path -->`: the file they show and the code shown. */
function examplesShown(): { page: string; path: string; code: string }[] {
  const shown = [];
  for (const name of readdirSync(join(REPO, 'docs')).filter((n) => n.endsWith('.md'))) {
    const text = readFileSync(join(REPO, 'docs', name), 'utf8');
    for (const m of text.matchAll(/<!-- example: (\S+) -->\n```ts\n([\s\S]*?)\n```/g)) shown.push({ page: name, path: m[1]!, code: m[2]! });
  }
  return shown;
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
  it('shows examples/getting-started.ts verbatim, as every page marked <!-- example: path --> shows its file', () => {
    const shown = examplesShown();
    expect(shown.map((e) => `${e.page} ${e.path}`)).toContain('getting-started.md examples/getting-started.ts');
    for (const e of shown) expect(e.code, `docs/${e.page} shows ${e.path}`).toBe(readFileSync(join(REPO, e.path), 'utf8').trimEnd());
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
