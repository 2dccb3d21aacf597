/**
 * The packages this repository publishes: every workspace of the root package.json that is not
 * private, with its folder and manifest.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The parts of a package.json that the packaging checks read. */
export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  type?: string;
  sideEffects?: boolean | string[];
  engines?: { node?: string };
  repository?: { type?: string; url?: string; directory?: string };
  files?: string[];
  exports?: Record<string, unknown>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
}

/** One published workspace. */
export interface WorkspacePackage {
  /** Folder relative to the root, as the root's `workspaces` lists it: `packages/sqlite`. */
  folder: string;
  /** Absolute folder. */
  directory: string;
  manifest: Manifest;
}

/** Reads a package.json. */
export function readManifest(directory: string): Manifest {
  return JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as Manifest;
}

/** Every published workspace, in the root's `workspaces` order (dependencies first). */
export function publishedPackages(root: string = ROOT): WorkspacePackage[] {
  const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] };
  return workspaces
    .map((folder) => ({ folder, directory: join(root, folder), manifest: readManifest(join(root, folder)) }))
    .filter((entry) => entry.manifest.private !== true);
}
