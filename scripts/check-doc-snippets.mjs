#!/usr/bin/env node
/**
 * Type-checks every TypeScript code block of the documentation (docs/**, README.md, each
 * package's README.md): each block becomes its own module under .doc-snippets/, compiled against
 * the workspace packages' sources with the project's strict settings. Names a block uses without
 * defining (a task, a storage…) come from scripts/doc-snippets/prelude.d.ts, and the modules the
 * examples import by a relative path (`../src/my-storage.js`) from scripts/doc-snippets/src/.
 * A block fenced as ```ts continued goes on from the previous block of the same file (one module).
 * Errors are reported at the markdown file and line.
 *
 *   node scripts/check-doc-snippets.mjs [--out <dir inside the repo>] [file.md ...]
 * (with no files: the documentation above; the default folder is .doc-snippets/).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args, positionals: requested } = parseArgs({ options: { out: { type: 'string' } }, allowPositionals: true });
const outDir = resolve(root, args.out ?? '.doc-snippets');

function markdownFiles() {
  const files = [join(root, 'README.md')];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.md')) files.push(path);
    }
  };
  walk(join(root, 'docs'));
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const readme = join(root, 'packages', pkg, 'README.md');
    try {
      statSync(readme);
      files.push(readme);
    } catch {
      // a package without a README
    }
  }
  return files;
}

/**
 * The ```ts blocks of one markdown text as modules: { parts: [{ line (1-based, of the first code
 * line), code }] }; a ```ts continued block is one more part of the module before it.
 */
function tsModules(text) {
  const modules = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(ts|typescript)(\s+continued)?\s*$/.exec(lines[i]);
    if (open === null) continue;
    const indent = open[1].length;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end])) end++;
    const code = lines.slice(start, end).map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length))).join('\n');
    const part = { line: start + 1, code };
    if (open[3] !== undefined && modules.length > 0) modules[modules.length - 1].parts.push(part);
    else modules.push({ parts: [part] });
    i = end;
  }
  return modules;
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(join(outDir, 'test'), { recursive: true });
// the modules the examples import: `../src/…` from a test file, `./…` from a source file
cpSync(join(root, 'scripts', 'doc-snippets', 'src'), join(outDir, 'src'), { recursive: true });
cpSync(join(root, 'scripts', 'doc-snippets', 'src'), join(outDir, 'test'), { recursive: true });
/** For each snippet file: its parts' first lines in the snippet and in the markdown file. */
const origins = new Map();
let count = 0;
let blocks = 0;
for (const file of requested.length > 0 ? requested.map((f) => resolve(f)) : markdownFiles()) {
  for (const module of tsModules(readFileSync(file, 'utf8'))) {
    const name = `snippet-${String(++count).padStart(3, '0')}.ts`;
    const map = [];
    let snippetLine = 1;
    for (const part of module.parts) {
      map.push({ snippetLine, line: part.line });
      snippetLine += part.code.split('\n').length;
      blocks++;
    }
    // `export {}` makes a block without imports a module too, so blocks never share top-level names.
    writeFileSync(join(outDir, 'test', name), `${module.parts.map((p) => p.code).join('\n')}\nexport {};\n`);
    origins.set(name, { file: relative(root, file), map });
  }
}

/** The markdown line of a line of a snippet. */
function markdownLine(origin, snippetLine) {
  let found = origin.map[0];
  for (const entry of origin.map) if (entry.snippetLine <= snippetLine) found = entry;
  return found.line + snippetLine - found.snippetLine;
}
writeFileSync(
  join(outDir, 'tsconfig.json'),
  JSON.stringify(
    {
      extends: '../tsconfig.base.json',
      compilerOptions: { noEmit: true, noUnusedLocals: false, lib: ['ES2023', 'DOM'], types: ['node'] },
      files: ['../scripts/doc-snippets/prelude.d.ts'],
      include: ['test/*.ts'],
    },
    null,
    2,
  ),
);

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', join(outDir, 'tsconfig.json'), '--pretty', 'false'], { encoding: 'utf8', stdio: 'pipe' });
  console.log(`Doc snippets: ${blocks} TypeScript blocks (${count} modules) type-check.`);
} catch (error) {
  const output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  for (const line of lines) {
    const match = /(snippet-\d+\.ts)\((\d+),(\d+)\): (.*)$/.exec(line);
    const origin = match ? origins.get(match[1]) : undefined;
    if (match && origin) console.error(`${origin.file}:${markdownLine(origin, Number(match[2]))}:${match[3]} ${match[4]}`);
    else console.error(line);
  }
  console.error(`Doc snippets: type errors in the blocks above (of ${count}). Fix the docs (a name the reader's application has goes in scripts/doc-snippets/prelude.d.ts).`);
  process.exit(1);
}
