import { createServer, type Server } from 'node:http';
import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createMonitor, type Monitor } from './create-monitor.js';
import type { MonitorOptions } from './options.js';
import { MonitorOptionsError, UnsafeBindError } from './errors.js';

/** Options of `startMonitorServer`. */
export interface MonitorServerOptions extends MonitorOptions {
  /** Address to listen on. Another than loopback needs `auth.users`. @defaultValue '127.0.0.1' */
  host?: string;
  /** Port; 0 picks a free one. @defaultValue 3300 */
  port?: number;
}

/** A running standalone monitor. */
export interface MonitorServer {
  readonly monitor: Monitor;
  readonly server: Server;
  /** `http://host:port` plus the base path. */
  readonly url: string;
  /** Stops listening and ends live-event connections. */
  close(): Promise<void>;
}

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and `localhost`. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const mapped = /^::ffff:(.+)$/i.exec(host)?.[1] ?? host;
  if (isIP(mapped) === 4) return mapped.startsWith('127.');
  return mapped === '::1';
}

/**
 * Serves the monitor on its own HTTP server. Refuses (`UnsafeBindError`) to listen on a
 * non-loopback address without credentials (`auth: false`).
 */
export async function startMonitorServer(options: MonitorServerOptions): Promise<MonitorServer> {
  const { host = '127.0.0.1', port = 3300, ...monitorOptions } = options;
  if (typeof host !== 'string' || host.length === 0) throw new MonitorOptionsError(`Monitor server option host must be an address; received ${JSON.stringify(host)}.`);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new MonitorOptionsError(`Monitor server option port must be 0–65535; received ${JSON.stringify(port)}.`);
  if (monitorOptions.auth === false && !isLoopback(host)) throw new UnsafeBindError(host);
  const monitor = createMonitor(monitorOptions);
  const server = createServer((request, response) => monitor.handler(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    monitor,
    server,
    url: `http://${shownHost}:${address.port}${monitor.basePath}`,
    close: async () => {
      monitor.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
