/**
 * A project outside the repository that installs the packed tarballs (third-party packages come
 * from the registry, as for a user), then uses them as a user would: plain Node ESM runs
 * fixtures/app.mjs, `tsc` checks fixtures/app.ts under `moduleResolution: nodenext` and
 * `bundler`, and the installed `evertask` command answers `--help`.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PackedPackage } from './pack-packages.js';
import { ROOT } from './workspace-packages.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);

/** The two TypeScript set-ups a user's project is likely to have. */
const TSCONFIGS = {
  nodenext: { module: 'NodeNext', moduleResolution: 'NodeNext' },
  bundler: { module: 'ESNext', moduleResolution: 'Bundler' },
} as const;

/** What the scratch program printed. */
export interface ScratchRun {
  results: { storage: string; id: string; completedId: string; status: string | undefined }[];
  resolved: string[];
  dashboardBuilt: boolean;
}

/** Creates the scratch folder and installs the tarballs with the drivers and TypeScript. */
export function createScratchProject(packages: PackedPackage[]): string {
  const folder = mkdtempSync(join(tmpdir(), 'evertask-scratch-'));
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'evertask-scratch', private: true, type: 'module' }, null, 2));
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const peers = new Map<string, string>();
  for (const entry of packages) {
    const optional = entry.manifest.peerDependenciesMeta ?? {};
    for (const [name, range] of Object.entries(entry.manifest.peerDependencies ?? {})) {
      if (optional[name]?.optional !== true || name.startsWith('@types/')) peers.set(name, range);
    }
  }
  const thirdParty = [...peers].map(([name, range]) => `${name}@${range}`);
  thirdParty.push(`typescript@${root.devDependencies.typescript}`, `@types/node@${root.devDependencies['@types/node']}`);
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...packages.map((entry) => entry.tarball), ...thirdParty], {
    cwd: folder,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return folder;
}

/** Runs fixtures/app.mjs with plain Node (no source condition, no loader) and parses its output. */
export function runScratchProgram(folder: string, env: Record<string, string>): ScratchRun {
  copyFileSync(new URL('app.mjs', FIXTURES), join(folder, 'app.mjs'));
  const output = execFileSync(process.execPath, ['app.mjs'], {
    cwd: folder,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return JSON.parse(output.trim().split('\n').at(-1) as string) as ScratchRun;
}

/** A tsc diagnostic line that starts in a third-party package's declarations, not in ours. */
function inThirdPartyDeclarations(line: string): boolean {
  return line.startsWith('node_modules/') && !/^node_modules\/(evertask|@evertask)\//.test(line);
}

/** tsc's output split into diagnostics: a line at the margin and the indented lines after it. */
function diagnostics(output: string): string[] {
  const found: string[] = [];
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    if (/^\s/.test(line) && found.length > 0) found[found.length - 1] += `\n${line}`;
    else found.push(line);
  }
  return found;
}

/**
 * Type-checks fixtures/app.ts under each resolution mode with `skipLibCheck: false`, so our own
 * declarations are checked too; answers tsc's errors per mode when there are any. Errors inside
 * a third-party package's declarations are not ours to fix and are left out (ioredis 6 imports
 * the untyped `redis-errors` in two of its .d.ts files).
 */
export function typeCheckScratch(folder: string): { mode: string; errors: string }[] {
  mkdirSync(join(folder, 'src'), { recursive: true });
  copyFileSync(new URL('app.ts', FIXTURES), join(folder, 'src', 'app.ts'));
  const failures: { mode: string; errors: string }[] = [];
  for (const [mode, resolution] of Object.entries(TSCONFIGS)) {
    const config = {
      compilerOptions: { ...resolution, target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
      include: ['src'],
    };
    writeFileSync(join(folder, `tsconfig.${mode}.json`), JSON.stringify(config, null, 2));
    try {
      execFileSync(process.execPath, [join(folder, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', `tsconfig.${mode}.json`], {
        cwd: folder,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      const output = (error as { stdout?: string }).stdout ?? String(error);
      const ours = diagnostics(output).filter((diagnostic) => !inThirdPartyDeclarations(diagnostic));
      if (ours.length > 0) failures.push({ mode, errors: ours.join('\n') });
    }
  }
  return failures;
}

/** Runs the installed `evertask` command with `--help`; answers what it printed. */
export function runInstalledCli(folder: string): string {
  return execFileSync(join(folder, 'node_modules', '.bin', 'evertask'), ['--help'], {
    cwd: folder,
    env: { ...process.env, NODE_OPTIONS: '' },
    encoding: 'utf8',
  });
}
