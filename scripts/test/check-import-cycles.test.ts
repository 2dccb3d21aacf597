import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../check-import-cycles.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const made: string[] = [];

/** A source folder with the given files. */
function sourceTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'evertask-cycles-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const check = (...roots: string[]) => spawnSync(process.execPath, [SCRIPT, ...roots], { cwd: REPO, encoding: 'utf8' });

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('check-import-cycles', () => {
  it('passes on the project source', () => {
    const result = check();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('fails on a circle made of a value import and a type-only import, naming both files', () => {
    const dir = sourceTree({
      'a.ts': "import { b } from './nested/b.js';\nexport const a = () => b();\n",
      'nested/b.ts': "import type { a } from '../a.js';\nexport const b = (f?: typeof a) => f;\n",
      'c.ts': "import { a } from './a.js';\nexport const c = a;\n",
    });
    const result = check(dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('1 found');
    expect(result.stderr).toMatch(/\/a\.ts/);
    expect(result.stderr).toMatch(/nested\/b\.ts/);
    expect(result.stderr).not.toMatch(/c\.ts/);
  });

  it('ignores imports written inside comments and package imports', () => {
    const dir = sourceTree({
      'a.ts': "// import { b } from './b.js';\nimport { join } from 'node:path';\nexport const a = join;\n",
      'b.ts': "/* import { a } from './a.js'; */\nimport { a } from './a.js';\nexport const b = a;\n",
    });
    const result = check(dir);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
