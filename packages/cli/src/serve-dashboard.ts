import { randomBytes } from 'node:crypto';
import type { EverTask } from 'evertask';
import { isLoopback, startMonitorServer, type MonitorServer } from '@evertask/monitor';
import { ensureDashboardBuilt } from '@evertask/dashboard';

/** Who may sign in: one admin account, a generated password for `admin`, or nobody needed. */
export type DashboardLogin = { username: string; password: string } | 'generate' | false;

export interface ServeDashboardOptions {
  everTask: EverTask;
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @defaultValue 3300 */
  port?: number;
  login: DashboardLogin;
  out: (line: string) => void;
}

/** Bad command-line input for the dashboard; the message names the value and the fix. */
export class DashboardArgumentError extends Error {
  readonly code = 'ERR_CLI_ARGUMENT';
}

/**
 * Serves the monitor API and the built dashboard (building it first on a fresh checkout) over
 * the engine's storage, and prints the address and how to sign in. A generated password is
 * printed once and allowed on a loopback address only.
 */
export async function serveDashboard(options: ServeDashboardOptions): Promise<MonitorServer> {
  const host = options.host ?? '127.0.0.1';
  let account: { username: string; password: string } | undefined;
  if (options.login === 'generate') {
    if (!isLoopback(host)) {
      throw new DashboardArgumentError(`A generated password is for a loopback address only; to listen on ${host} give --user and --password.`);
    }
    account = { username: 'admin', password: randomBytes(12).toString('base64url') };
  } else if (options.login !== false) account = options.login;
  const server = await startMonitorServer({
    everTask: options.everTask,
    auth: account === undefined ? false : { users: [{ ...account, role: 'admin' }] },
    host,
    port: options.port ?? 3300,
    dashboard: ensureDashboardBuilt(),
  });
  options.out(`Dashboard at ${server.url}/`);
  if (account === undefined) options.out('Sign-in is off (--no-auth): anyone who can reach this address may look and cancel.');
  else if (options.login === 'generate') options.out(`Sign in as ${account.username} with password ${account.password} (generated for this run; shown once).`);
  else options.out(`Sign in as ${account.username} with the password you gave.`);
  return server;
}
