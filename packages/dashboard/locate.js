// Where the built dashboard lives, and building it when it is missing (a fresh clone).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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

/** Builds the dashboard with Vite unless it is built already; answers its directory. */
export function ensureDashboardBuilt() {
  if (isDashboardBuilt()) return dashboardDirectory;
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const build = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: packageDirectory, stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0 || !isDashboardBuilt()) {
    throw new Error(`Building the dashboard failed (exit ${build.status}); run npm run build --workspace @evertask/dashboard to see why.`);
  }
  return dashboardDirectory;
}
