import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EverTask, defineTask, noRetry, silentLogger } from 'evertask';
import { SqliteStorage } from '@evertask/sqlite';
import { startMonitorServer, type MonitorServer } from '@evertask/monitor';
import { ensureDashboardBuilt } from '../../locate.js';

const PACKAGE_DIRECTORY = fileURLToPath(new URL('../../', import.meta.url));

/** The newest modification time of the files under `directory`. */
function newestChange(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * A `dist/` older than the sources would test yesterday's dashboard (a checkout that built it once,
 * then moved on): removed, so that `ensureDashboardBuilt` builds it again.
 */
function removeStaleBuild(): void {
  const built = join(PACKAGE_DIRECTORY, 'dist', 'index.html');
  if (!existsSync(built)) return;
  const sources = Math.max(newestChange(join(PACKAGE_DIRECTORY, 'src')), statSync(join(PACKAGE_DIRECTORY, 'index.html')).mtimeMs);
  if (sources > statSync(built).mtimeMs) rmSync(join(PACKAGE_DIRECTORY, 'dist'), { recursive: true, force: true });
}

export const OPERATOR = { username: 'operator', password: 'operator-password-1' } as const;
/** A read-only user: sees everything, may do nothing. */
export const VIEWER = { username: 'viewer', password: 'viewer-password-1' } as const;

export const reportTask = defineTask({
  name: 'build-report',
  handler: async (payload: { month: string; lines: number }, ctx) => {
    for (let line = 1; line <= payload.lines; line++) ctx.logger.information('report line {line} for {month}', line, payload.month);
    ctx.logger.warning('report {month} has no totals row', payload.month);
  },
});

/** One call per hour per partner: a second call waits (parked) for the next slot. */
export const partnerCallTask = defineTask({
  name: 'call-partner-api',
  rateLimit: { permits: 1, period: '1h', key: (payload: { partner: string }) => payload.partner },
  handler: async (_payload: { partner: string }) => undefined,
});
export const invoiceTask = defineTask({ name: 'send-invoice', queue: 'billing', handler: async (_payload: { invoice: number }) => undefined });

export const chargeTask = defineTask({
  name: 'charge-card',
  retry: noRetry(),
  handler: async (payload: { amount: number }) => {
    throw new Error(`card declined for amount ${payload.amount}`);
  },
});

let shippingDown = true;

/** Fails while the (pretend) carrier is down: `carrierBack()` makes the next attempt succeed. */
export const shipTask = defineTask({
  name: 'ship-parcel',
  retry: noRetry(),
  handler: async (payload: { parcel: string }) => {
    if (shippingDown) throw new Error(`carrier unreachable for parcel ${payload.parcel}`);
  },
});

export function carrierBack(): void {
  shippingDown = false;
}

/** A running engine on a temporary SQLite file with the monitor and the built dashboard in front. */
export interface SeededMonitor {
  everTask: EverTask;
  server: MonitorServer;
  /** The dashboard's address, ending in '/'. */
  url: string;
  close(): Promise<void>;
}

/** Builds the dashboard if `dist` is missing or older than its sources, starts the engine and the monitor on a free port. */
export async function startSeededMonitor(): Promise<SeededMonitor> {
  removeStaleBuild();
  const dashboard = ensureDashboardBuilt();
  const directory = mkdtempSync(join(tmpdir(), 'evertask-dashboard-e2e-'));
  const everTask = new EverTask({
    storage: new SqliteStorage({ filename: join(directory, 'tasks.db') }),
    tasks: [reportTask, invoiceTask, chargeTask, shipTask, partnerCallTask],
    queues: { billing: { concurrency: 2 } },
    defaults: { logs: { enabled: true } },
    logger: silentLogger,
  });
  await everTask.start();
  const server = await startMonitorServer({ everTask, auth: { users: [{ ...OPERATOR, role: 'admin' }, { ...VIEWER, role: 'read-only' }] }, port: 0, dashboard, logger: silentLogger });
  return {
    everTask,
    server,
    url: `${server.url}/`,
    close: async () => {
      await server.close();
      await everTask.stop();
      await everTask.storage.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
