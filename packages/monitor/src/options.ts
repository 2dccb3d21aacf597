import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { consoleWarningsLogger, systemClock, toMilliseconds, type Clock, type Duration, type EverTask, type Logger, type TaskStorage } from 'evertask';
import type { MonitorRole } from './api-types.js';
import { MonitorOptionsError } from './errors.js';

/** One account of the monitor. */
export interface MonitorUser {
  username: string;
  password: string;
  /** `admin` may act (cancel, run now, retry, delete, pause/resume a queue, bulk actions), `read-only` may only look (actions answer 403). @defaultValue 'admin' */
  role?: MonitorRole;
}

/** Authentication settings (on unless `auth: false`). */
export interface MonitorAuthOptions {
  /** The accounts. At least one. */
  users: readonly MonitorUser[];
  /**
   * Key signing the tokens (HMAC-SHA256), at least 32 bytes. Give one to keep sessions valid
   * across restarts and across several monitor processes. @defaultValue 32 random bytes per process
   */
  secret?: string | Uint8Array;
  /** How long a token is valid. @defaultValue '8h' */
  tokenTtl?: Duration;
  /** Failed logins allowed per client IP within `loginWindow` before logins answer 429. @defaultValue 10 */
  maxLoginAttempts?: number;
  /** The window of `maxLoginAttempts`. @defaultValue '15m' */
  loginWindow?: Duration;
  /**
   * Mark the cookie `Secure`: `'auto'` when the request came over HTTPS (or, with `trustProxy`,
   * `X-Forwarded-Proto: https`). @defaultValue 'auto'
   */
  secureCookie?: boolean | 'auto';
  /** `GET /metrics` without credentials (for a scraper on a private network). @defaultValue false (bearer token or HTTP Basic with a user's credentials) */
  publicMetrics?: boolean;
}

/** Options of `createMonitor`. */
export interface MonitorOptions {
  /** The engine to monitor and act on. */
  everTask: EverTask;
  /** The storage to read. @defaultValue `everTask.storage` */
  storage?: TaskStorage;
  /**
   * `{ users, ... }`, or `false` to open the monitor to anyone who can reach it (say so
   * explicitly; `startMonitorServer` then listens on loopback only). @defaultValue required: give users or false
   */
  auth: MonitorAuthOptions | false;
  /** Path the monitor is served under, e.g. `/evertask` (no trailing slash). @defaultValue '' (the root) */
  basePath?: string;
  /**
   * Client addresses allowed in: IPv4/IPv6 addresses and CIDR ranges (`10.0.0.0/8`, `::1`).
   * Others get 403 before any authentication. @defaultValue every address
   */
  allowIps?: readonly string[];
  /**
   * Take the client address from `X-Forwarded-For` (its last entry: the address the proxy in
   * front saw) and the scheme from `X-Forwarded-Proto`: only behind one proxy that sets them.
   * @defaultValue false
   */
  trustProxy?: boolean;
  /** Period of the SSE keep-alive comment. @defaultValue '15s' */
  sseHeartbeat?: Duration;
  /** Live-event connections at once; more answer 503. @defaultValue 100 */
  maxSseConnections?: number;
  /** Largest `pageSize` of the task lists. @defaultValue 500 */
  maxPageSize?: number;
  /** Time source (token expiry, time ranges). @defaultValue the system clock */
  clock?: Clock;
  /** Where actions (`info`, with the user) and failed requests (`error`: storage faults, bugs) are reported. @defaultValue warnings and errors to the console */
  logger?: Logger;
  /**
   * Directory of a built dashboard (a single-page app with an `index.html`, e.g.
   * `dashboardDirectory` of `@evertask/dashboard`) to serve at `basePath`: its files, and
   * `index.html` for every other path outside `/api` and `/metrics`. @defaultValue none (API only)
   */
  dashboard?: string;
}

export interface ResolvedAuth {
  users: ReadonlyMap<string, { password: Buffer; role: MonitorRole }>;
  secret: Buffer;
  tokenTtlMs: number;
  maxLoginAttempts: number;
  loginWindowMs: number;
  secureCookie: boolean | 'auto';
  publicMetrics: boolean;
}

export interface ResolvedMonitorOptions {
  everTask: EverTask;
  storage: TaskStorage;
  auth: ResolvedAuth | false;
  basePath: string;
  allowIps: readonly string[] | undefined;
  trustProxy: boolean;
  sseHeartbeatMs: number;
  maxSseConnections: number;
  maxPageSize: number;
  clock: Clock;
  logger: Logger;
  dashboard: string | undefined;
}

const KNOWN_KEYS = new Set([
  'everTask', 'storage', 'auth', 'basePath', 'allowIps', 'trustProxy', 'sseHeartbeat',
  'maxSseConnections', 'maxPageSize', 'clock', 'logger', 'dashboard',
]);
const AUTH_KEYS = new Set(['users', 'secret', 'tokenTtl', 'maxLoginAttempts', 'loginWindow', 'secureCookie', 'publicMetrics']);
const BASE_PATH_RE = /^(\/[A-Za-z0-9._~-]+)*$/;

function positiveInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < 1) {
    throw new MonitorOptionsError(`Monitor option ${name} must be a positive integer; received ${JSON.stringify(value)}.`);
  }
  return value as number;
}

function duration(value: Duration | undefined, name: string, fallback: Duration, minimumMs: number): number {
  let ms: number;
  try {
    ms = toMilliseconds(value ?? fallback, `Monitor option ${name}`);
  } catch (error) {
    throw new MonitorOptionsError((error as Error).message);
  }
  if (ms < minimumMs) throw new MonitorOptionsError(`Monitor option ${name} must be at least ${minimumMs} ms; received ${ms} ms.`);
  return ms;
}

function unknownKeys(value: object, known: Set<string>, what: string): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key)) throw new MonitorOptionsError(`Unknown ${what} option ${JSON.stringify(key)}; the options are ${[...known].join(', ')}.`);
  }
}

function resolveAuth(auth: MonitorAuthOptions): ResolvedAuth {
  if (typeof auth !== 'object' || auth === null) {
    throw new MonitorOptionsError('Monitor option auth must be { users: [{ username, password }] } or false (explicitly open).');
  }
  unknownKeys(auth, AUTH_KEYS, 'auth');
  if (!Array.isArray(auth.users) || auth.users.length === 0) {
    throw new MonitorOptionsError('Monitor option auth.users must list at least one { username, password }; or pass auth: false to open the monitor.');
  }
  const users = new Map<string, { password: Buffer; role: MonitorRole }>();
  for (const [index, user] of auth.users.entries()) {
    const where = `auth.users[${index}]`;
    if (typeof user?.username !== 'string' || !/^[^\s:]{1,100}$/.test(user.username)) {
      throw new MonitorOptionsError(`${where}.username must be 1–100 characters without spaces or colons; received ${JSON.stringify(user?.username)}.`);
    }
    if (typeof user.password !== 'string' || user.password.length < 8) {
      throw new MonitorOptionsError(`${where}.password must be a string of at least 8 characters (user ${JSON.stringify(user.username)}).`);
    }
    const role = user.role ?? 'admin';
    if (role !== 'admin' && role !== 'read-only') {
      throw new MonitorOptionsError(`${where}.role must be 'admin' or 'read-only'; received ${JSON.stringify(role)}.`);
    }
    if (users.has(user.username)) throw new MonitorOptionsError(`${where}.username ${JSON.stringify(user.username)} is listed twice.`);
    users.set(user.username, { password: Buffer.from(user.password, 'utf8'), role });
  }
  let secret: Buffer;
  if (auth.secret === undefined) secret = randomBytes(32);
  else if (typeof auth.secret === 'string' || auth.secret instanceof Uint8Array) secret = Buffer.from(auth.secret);
  else throw new MonitorOptionsError('Monitor option auth.secret must be a string or bytes.');
  if (secret.length < 32) {
    throw new MonitorOptionsError(`Monitor option auth.secret must be at least 32 bytes; received ${secret.length}. Generate one with: openssl rand -base64 32`);
  }
  const secureCookie = auth.secureCookie ?? 'auto';
  if (secureCookie !== 'auto' && typeof secureCookie !== 'boolean') {
    throw new MonitorOptionsError(`Monitor option auth.secureCookie must be true, false or 'auto'; received ${JSON.stringify(secureCookie)}.`);
  }
  if (auth.publicMetrics !== undefined && typeof auth.publicMetrics !== 'boolean') {
    throw new MonitorOptionsError(`Monitor option auth.publicMetrics must be a boolean; received ${JSON.stringify(auth.publicMetrics)}.`);
  }
  return {
    users,
    secret,
    tokenTtlMs: duration(auth.tokenTtl, 'auth.tokenTtl', '8h', 1000),
    maxLoginAttempts: positiveInteger(auth.maxLoginAttempts, 'auth.maxLoginAttempts', 10),
    loginWindowMs: duration(auth.loginWindow, 'auth.loginWindow', '15m', 1000),
    secureCookie,
    publicMetrics: auth.publicMetrics ?? false,
  };
}

function resolveLogger(logger: Logger | undefined): Logger {
  if (logger === undefined) return consoleWarningsLogger;
  if (typeof logger?.error !== 'function' || typeof logger.info !== 'function') {
    throw new MonitorOptionsError('Monitor option logger must have info(message, meta) and error(message, meta) methods (console, pino and winston fit).');
  }
  return logger;
}

function dashboardDirectory(directory: unknown): string | undefined {
  if (directory === undefined) return undefined;
  if (typeof directory !== 'string' || directory.length === 0) {
    throw new MonitorOptionsError(`Monitor option dashboard must be the directory of a built dashboard; received ${JSON.stringify(directory)}.`);
  }
  if (!existsSync(join(directory, 'index.html'))) {
    throw new MonitorOptionsError(
      `Monitor option dashboard: ${JSON.stringify(directory)} holds no index.html; build the dashboard first (npm run build --workspace @evertask/dashboard).`,
    );
  }
  return directory;
}

/** Validates the options and fills in every default, in one place. */
export function resolveMonitorOptions(options: MonitorOptions): ResolvedMonitorOptions {
  if (typeof options !== 'object' || options === null) throw new MonitorOptionsError('createMonitor takes an options object { everTask, auth }.');
  unknownKeys(options, KNOWN_KEYS, 'monitor');
  const { everTask } = options;
  if (typeof everTask?.configuration !== 'function' || typeof everTask.cancel !== 'function') {
    throw new MonitorOptionsError('Monitor option everTask must be an EverTask engine (new EverTask({ ... })).');
  }
  const storage = options.storage ?? everTask.storage;
  if (typeof storage?.query !== 'function' || typeof storage.count !== 'function') {
    throw new MonitorOptionsError('Monitor option storage must be a TaskStorage (the engine\'s storage by default).');
  }
  if (options.auth === undefined) {
    throw new MonitorOptionsError('Monitor option auth is required: give { users: [{ username, password }] }, or auth: false to open the monitor explicitly.');
  }
  const basePath = options.basePath ?? '';
  if (typeof basePath !== 'string' || !BASE_PATH_RE.test(basePath)) {
    throw new MonitorOptionsError(`Monitor option basePath must be '' or like '/evertask' (no trailing slash); received ${JSON.stringify(basePath)}.`);
  }
  if (options.allowIps !== undefined && (!Array.isArray(options.allowIps) || options.allowIps.length === 0)) {
    throw new MonitorOptionsError('Monitor option allowIps must be a non-empty list of addresses or CIDR ranges; omit it to allow every address.');
  }
  if (options.trustProxy !== undefined && typeof options.trustProxy !== 'boolean') {
    throw new MonitorOptionsError(`Monitor option trustProxy must be a boolean; received ${JSON.stringify(options.trustProxy)}.`);
  }
  return {
    everTask,
    storage,
    auth: options.auth === false ? false : resolveAuth(options.auth),
    basePath,
    allowIps: options.allowIps,
    trustProxy: options.trustProxy ?? false,
    sseHeartbeatMs: duration(options.sseHeartbeat, 'sseHeartbeat', '15s', 10),
    maxSseConnections: positiveInteger(options.maxSseConnections, 'maxSseConnections', 100),
    maxPageSize: positiveInteger(options.maxPageSize, 'maxPageSize', 500),
    clock: options.clock ?? systemClock,
    logger: resolveLogger(options.logger),
    dashboard: dashboardDirectory(options.dashboard),
  };
}
