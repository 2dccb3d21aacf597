import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../check-doc-snippets.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const made: string[] = [];

/** A markdown file with the given text, and a snippet folder of its own inside the repository. */
function markdown(text: string): { file: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'evertask-doc-snippets-'));
  const out = join(REPO, `.doc-snippets-test-${process.pid}-${made.length}`);
  made.push(dir, out);
  const file = join(dir, 'page.md');
  writeFileSync(file, text);
  return { file, out };
}

const check = (file: string, out: string) => spawnSync(process.execPath, [SCRIPT, '--out', out, file], { cwd: REPO, encoding: 'utf8' });
const fence = '```';

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('check-doc-snippets', () => {
  it('passes blocks that compile, with the prelude names and a continued block sharing the module', () => {
    const { file, out } = markdown(
      [
        '# Page',
        `${fence}ts`,
        "import { EverTask } from 'evertask';",
        'const engine = new EverTask({ tasks: [sendWelcome] });',
        fence,
        'More prose.',
        `${fence}ts continued`,
        "await engine.dispatch(sendWelcome, { email: 'ada@example.com' });",
        fence,
      ].join('\n'),
    );
    const result = check(file, out);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/2 TypeScript blocks \(1 modules\) type-check/);
    expect(result.status).toBe(0);
  }, 120_000);

  it('fails on a wrong block, naming the markdown file and line', () => {
    const { file, out } = markdown(
      ['# Page', '', `${fence}ts`, "import { EverTask } from 'evertask';", 'const engine = new EverTask({ tasks: [sendWelcome] });', "await engine.dispatch(sendWelcome, { mail: 'x' });", fence].join('\n'),
    );
    const result = check(file, out);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/page\.md:6:\d+ error TS\d+/);
  }, 120_000);
});
