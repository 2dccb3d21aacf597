/**
 * publint and are-the-types-wrong on each packed tarball, with the repository's own manifest
 * rules: one list of problems for every package.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { manifestProblems, type RootManifest } from './manifest-rules.js';
import type { PackedPackage } from './pack-packages.js';
import { ROOT } from './workspace-packages.js';

/**
 * publint in strict mode (warnings count) on the package folder, packed by npm: this way publint
 * also tells files that exist but are not published.
 */
export async function publintProblems(entry: PackedPackage): Promise<string[]> {
  const { messages, pkg } = await publint({ pkgDir: entry.directory, pack: 'npm', strict: true, level: 'suggestion' });
  return messages.map((message) => `${entry.manifest.name}: publint ${message.type} ${message.code}: ${formatMessage(message, pkg) ?? ''}`);
}

/**
 * are-the-types-wrong with the ESM-only profile (the packages are ESM only, so the node10 and
 * require() resolutions are out of scope): every entry point resolves to JavaScript and types
 * under node16 (from ESM) and bundler resolution.
 */
export function attwProblems(entry: PackedPackage): string[] {
  const attw = join(ROOT, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
  try {
    execFileSync(process.execPath, [attw, entry.tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-color', '--no-emoji'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return [];
  } catch (error) {
    const output = (error as { stdout?: string }).stdout ?? String(error);
    return [`${entry.manifest.name}: are-the-types-wrong found problems:\n${output}`];
  }
}

/** Every problem in every tarball; empty when all are fit to publish. */
export async function tarballProblems(packages: PackedPackage[]): Promise<string[]> {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as RootManifest;
  const problems: string[] = [];
  for (const entry of packages) {
    problems.push(...manifestProblems(entry, root), ...(await publintProblems(entry)), ...attwProblems(entry));
  }
  return problems;
}
