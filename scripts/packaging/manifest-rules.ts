/**
 * This repository's own rules for a published package, on top of publint and
 * are-the-types-wrong: what a user of the tarball needs (licence, readme, changelog, engines,
 * repository, every exported file and its types) and the driver policy (drivers are peers).
 * Each problem names the package, the bad value and the fix.
 */
import type { Manifest } from './workspace-packages.js';

/** What the rules look at: the manifest, its folder and the tarball's file list. */
export interface PackageUnderCheck {
  folder: string;
  manifest: Manifest;
  files: string[];
}

/**
 * The database drivers each storage package takes as a peer dependency: the application installs
 * the driver it already uses, so there is one copy and one version of it. better-sqlite3 is not
 * here: it is the embedded default, a dependency of `@evertask/sqlite`.
 */
export const DRIVER_PEERS: Readonly<Record<string, readonly string[]>> = {
  '@evertask/postgres': ['pg'],
  '@evertask/mysql': ['mysql2'],
  '@evertask/redis': ['ioredis'],
};

/** Files every tarball must carry besides its code. */
const REQUIRED_FILES = ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE'];

/** Conditions that point into the sources, present only in this repository. */
const SOURCE_CONDITION = 'evertask-source';

/** The files an `exports` value points at, per condition, leaving out the source condition. */
function exportTargets(value: unknown, condition = 'default'): { condition: string; target: string }[] {
  if (typeof value === 'string') return [{ condition, target: value }];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>)
    .filter(([key]) => key !== SOURCE_CONDITION)
    .flatMap(([key, inner]) => exportTargets(inner, key));
}

function normalise(path: string): string {
  return path.replace(/^\.\//, '');
}

/** What the rules compare against in the root package.json. */
export interface RootManifest {
  engines?: { node?: string };
  devDependencies?: Record<string, string>;
}

/** Every problem found in one package; empty when it is fit to publish. */
export function manifestProblems(entry: PackageUnderCheck, root: RootManifest): string[] {
  const rootEngines = root.engines?.node;
  const { manifest, folder } = entry;
  const name = manifest.name;
  const files = new Set(entry.files);
  const problems: string[] = [];
  const say = (text: string) => problems.push(`${name}: ${text}`);

  if (manifest.license !== 'MIT') say(`"license" is ${JSON.stringify(manifest.license)}; set it to "MIT" like the other packages`);
  if (manifest.type !== 'module') say(`"type" is ${JSON.stringify(manifest.type)}; set it to "module" (the packages are ESM only)`);
  if (manifest.sideEffects !== false) say(`"sideEffects" is ${JSON.stringify(manifest.sideEffects)}; set it to false (no module does work on import)`);
  if (manifest.engines?.node !== rootEngines) {
    say(`"engines.node" is ${JSON.stringify(manifest.engines?.node)}; set it to the root's ${JSON.stringify(rootEngines)}`);
  }
  if (!manifest.repository?.url) say('"repository.url" is missing; add the repository with "directory" set to the package folder');
  if (manifest.repository?.directory !== folder) {
    say(`"repository.directory" is ${JSON.stringify(manifest.repository?.directory)}; set it to "${folder}"`);
  }
  for (const file of REQUIRED_FILES) if (!files.has(file)) say(`the tarball has no ${file}; add it to the package folder and to "files"`);
  for (const file of entry.files) {
    if (/^(src|test)\//.test(file)) say(`the tarball ships ${file}; keep sources and tests out of "files"`);
  }

  const exportsMap = manifest.exports ?? {};
  if (Object.keys(exportsMap).length === 0) say('"exports" is missing; map "." to the built entry point and its types');
  for (const [subpath, value] of Object.entries(exportsMap)) {
    const targets = exportTargets(value);
    if (!targets.some((target) => target.condition === 'types' && target.target.endsWith('.d.ts'))) {
      say(`export "${subpath}" has no "types" condition with a .d.ts; add one before "default"`);
    }
    for (const { condition, target } of targets) {
      if (!files.has(normalise(target))) say(`export "${subpath}" (${condition}) points at ${target}, which is not in the tarball; build it or fix the path`);
    }
  }
  for (const [command, target] of Object.entries(manifest.bin ?? {})) {
    if (!files.has(normalise(target))) say(`bin "${command}" points at ${target}, which is not in the tarball; add it to "files"`);
  }

  for (const driver of DRIVER_PEERS[name] ?? []) {
    if (manifest.dependencies?.[driver] !== undefined) say(`"${driver}" is a dependency; move it to "peerDependencies" (the application installs its driver)`);
    if (manifest.peerDependencies?.[driver] === undefined) say(`"${driver}" is not a peer dependency; add it to "peerDependencies"`);
  }
  for (const peer of Object.keys(manifest.peerDependencies ?? {})) {
    if (manifest.devDependencies?.[peer] === undefined && root.devDependencies?.[peer] === undefined) {
      say(`peer "${peer}" is not a devDependency here or at the root; add it so the workspace installs it for the tests`);
    }
  }
  return problems;
}
