/**
 * Builds every package from a clean slate and packs each with `npm pack`, as `npm publish`
 * would: the tarballs are what the checks and the scratch project use.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, type WorkspacePackage } from './workspace-packages.js';

/** One packed package. */
export interface PackedPackage extends WorkspacePackage {
  /** Absolute path of the .tgz. */
  tarball: string;
  /** Paths inside the tarball, relative to the package root (`dist/index.js`). */
  files: string[];
}

interface NpmPackEntry {
  filename: string;
  files: { path: string }[];
}

/** Removes every package's dist/ and runs the root build, so no file of an earlier build ships. */
export function cleanBuild(packages: WorkspacePackage[]): void {
  for (const entry of packages) rmSync(join(entry.directory, 'dist'), { recursive: true, force: true });
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Packs one package into `destination`. */
export function pack(entry: WorkspacePackage, destination: string): PackedPackage {
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: entry.directory,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [result] = JSON.parse(output) as NpmPackEntry[];
  if (result === undefined) throw new Error(`npm pack printed no result for ${entry.manifest.name}`);
  return { ...entry, tarball: join(destination, result.filename), files: result.files.map((file) => file.path) };
}
