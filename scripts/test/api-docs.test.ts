import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const TYPEDOC = join(REPO, 'node_modules', 'typedoc', 'bin', 'typedoc');
const dir = mkdtempSync(join(tmpdir(), 'evertask-api-docs-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A package of one entry point whose documentation TypeDoc checks with the repository's shared
 * options (typedoc.base.json, as every package's typedoc.json extends it).
 */
function checkPackage(files: Record<string, string>) {
  const pkg = mkdtempSync(join(dir, 'pkg-'));
  mkdirSync(join(pkg, 'src'));
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'api-docs-fixture', version: '1.0.0', type: 'module' }));
  writeFileSync(
    join(pkg, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true }, include: ['src'] }),
  );
  writeFileSync(join(pkg, 'typedoc.json'), JSON.stringify({ extends: [join(REPO, 'typedoc.base.json')], entryPoints: ['src/index.ts'], tsconfig: './tsconfig.json' }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(pkg, 'src', name), text);
  return spawnSync(process.execPath, [TYPEDOC, '--options', 'typedoc.json', '--emit', 'none'], { cwd: pkg, encoding: 'utf8', timeout: 120_000 });
}

describe('the API reference check (npm run check:api)', () => {
  it('passes documentation whose links resolve and whose referenced types are exported', () => {
    const result = checkPackage({
      'shape.ts': '/** A shape. */\nexport interface Shape { readonly sides: number }\n',
      'index.ts': "export type { Shape } from './shape.js';\nimport type { Shape } from './shape.js';\n/** Makes a {@link Shape}. */\nexport function square(): Shape {\n  return { sides: 4 };\n}\n",
    });
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
  }, 180_000);

  it('fails on a broken {@link} and on a public signature using a type the entry point does not export', () => {
    const result = checkPackage({
      'shape.ts': '/** A shape. */\nexport interface Shape { readonly sides: number }\n',
      'index.ts': "import type { Shape } from './shape.js';\n/** Makes a {@link Sqaure}. */\nexport function square(): Shape {\n  return { sides: 4 };\n}\n",
    });
    const output = `${result.stdout}${result.stderr}`;
    expect(result.status).not.toBe(0);
    expect(output).toMatch(/Failed to resolve link to "Sqaure"/);
    expect(output).toMatch(/Shape, defined in .*shape\.ts, is referenced by .*square.* but not included in the documentation/);
  }, 180_000);
});
