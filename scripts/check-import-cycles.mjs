#!/usr/bin/env node
// Fails when the source of any package imports itself in a circle, type-only imports included.
// ESLint's `import-x/no-cycle` (on in eslint.config.js) catches the cycles that exist at run time;
// this check also catches the ones through `import type`, which erase at run time but still tie
// two modules together so that neither can be moved or understood alone.
//
// Usage: node scripts/check-import-cycles.mjs [root …]   (default: packages/*/src)
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const IMPORT_PATTERN = /(?:^|[\s;])(?:import|export)\s[^'"]*?\sfrom\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every `.ts` file (declarations excluded) under `dir`. */
function sourceFiles(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...sourceFiles(path));
    else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

/** The source file a relative specifier names, or undefined for a package import. */
function resolveSpecifier(fromFile, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const target = resolve(dirname(fromFile), specifier);
  for (const candidate of [target.replace(/\.js$/, '.ts'), target, `${target}.ts`, join(target, 'index.ts')]) {
    if (candidate.endsWith('.ts') && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The import graph: file → the files it imports. Comments are removed first. */
function importGraph(files) {
  const graph = new Map();
  for (const file of files) {
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const targets = new Set();
    for (const match of text.matchAll(IMPORT_PATTERN)) {
      const target = resolveSpecifier(file, match[1] ?? match[2]);
      if (target) targets.add(target);
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/** Strongly connected components of more than one file, or of one file importing itself (Tarjan). */
function cycles(graph) {
  let counter = 0;
  const index = new Map();
  const lowLink = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (node) => {
    index.set(node, counter);
    lowLink.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        lowLink.set(node, Math.min(lowLink.get(node), lowLink.get(next)));
      } else if (onStack.has(next)) {
        lowLink.set(node, Math.min(lowLink.get(node), index.get(next)));
      }
    }
    if (lowLink.get(node) !== index.get(node)) return;
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

const root = process.cwd();
const roots = process.argv.length > 2
  ? process.argv.slice(2)
  : readdirSync(join(root, 'packages')).map((name) => join('packages', name, 'src')).filter((dir) => existsSync(dir));
const files = roots.flatMap((dir) => sourceFiles(resolve(root, dir)));
const found = cycles(importGraph(files));
if (found.length === 0) {
  console.log(`import cycles: none in ${files.length} files`);
} else {
  console.error(`import cycles: ${found.length} found (type-only imports count too):`);
  for (const component of found) {
    console.error(`  - ${component.map((file) => relative(root, file)).join('\n    ')}`);
  }
  console.error('Break each by moving what both sides need into a module of its own, or by an interface the lower module owns.');
  process.exit(1);
}
