// Where the built dashboard lives, and building it when it is missing (a fresh clone).
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDirectory = fileURLToPath(new URL('.', import.meta.url));

/** Directory of the built dashboard: pass it as the monitor's `dashboard` option. */
export const dashboardDirectory = join(packageDirectory, 'dist');

/** True once `npm run build --workspace @evertask/dashboard` has run. */
export function isDashboardBuilt() {
  return existsSync(join(dashboardDirectory, 'index.html'));
}

/**
 * Builds the dashboard with Vite unless it is built already; answers its directory. The build
 * goes to a directory of its own, renamed into place when complete, so processes building at the
 * same time (parallel test files on a fresh clone) never see half a dashboard.
 */
export function ensureDashboardBuilt() {
  if (isDashboardBuilt()) return dashboardDirectory;
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const staging = join(packageDirectory, `.dist-${process.pid}-${Date.now()}`);
  try {
    const build = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn', '--outDir', staging], {
      cwd: packageDirectory,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (build.status !== 0 || !existsSync(join(staging, 'index.html'))) {
      throw new Error(`Building the dashboard failed (exit ${build.status}); run npm run build --workspace @evertask/dashboard to see why.`);
    }
    if (!isDashboardBuilt()) {
      rmSync(dashboardDirectory, { recursive: true, force: true });
      try {
        renameSync(staging, dashboardDirectory);
      } catch (error) {
        // another process put its build in place first
        if (!isDashboardBuilt()) throw error;
      }
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return dashboardDirectory;
}
