import type { IncomingMessage, ServerResponse } from 'node:http';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getRequestListener } from '@hono/node-server';
import { EverTaskError, type Logger } from 'evertask';
import type { ApiErrorBody, MonitorConfigResponse } from './api-types.js';
import type { MonitorEnv } from './monitor-env.js';
import type { MonitorSource } from './data/monitor-source.js';
import { resolveMonitorOptions, type MonitorOptions, type ResolvedMonitorOptions } from './options.js';
import { ApiError } from './errors.js';
import { EngineMonitorSource } from './data/engine-source.js';
import { RateLimitTracker } from './data/rate-limit-tracker.js';
import { SessionTokens } from './auth/session-token.js';
import { CredentialChecker } from './auth/credentials.js';
import { LoginLimiter } from './auth/login-limiter.js';
import { IpAllowList } from './auth/ip-allow-list.js';
import { allowListGuard, authenticationGuard, CSRF_HEADER, type GuardParts } from './auth/request-guard.js';
import { authRoutes } from './routes/auth-routes.js';
import { taskRoutes } from './routes/task-routes.js';
import { taskActionRoutes } from './routes/task-action-routes.js';
import { dashboardRoutes } from './routes/dashboard-routes.js';
import { queueRoutes } from './routes/queue-routes.js';
import { statisticsRoutes } from './routes/statistics-routes.js';
import { systemRoutes } from './routes/system-routes.js';
import { LiveEventStreams } from './live-events.js';
import { EngineMetrics } from './metrics.js';
import { noQuery, parseQuery } from './validation.js';
import { staticApp } from './static-files.js';

/** A Node request handler; with `next` (Express, Connect) a request outside the monitor's path is passed on. */
export type NodeHandler = (request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void) => void;

/** What `createMonitor` returns. */
export interface Monitor {
  /** The Hono app, its routes under `basePath` (mount it with `parent.route('/', monitor.app)`). */
  readonly app: Hono<MonitorEnv>;
  /** For `node:http`, Express (`app.use(monitor.handler)`), Fastify (`reply.hijack()` then `monitor.handler(req.raw, reply.raw)`). */
  readonly handler: NodeHandler;
  /** The web-standard fetch handler. */
  readonly fetch: (request: Request) => Promise<Response>;
  readonly basePath: string;
  /** The data the routes read, for embedding the same views elsewhere. */
  readonly source: MonitorSource;
  /** Live-event connections open now. */
  readonly liveConnections: number;
  /** Ends live-event connections and stops listening to the engine. Idempotent. */
  close(): void;
}

/** Largest request body the API reads. */
const MAX_BODY_BYTES = 16 * 1024;

function errorAnswer(error: unknown, c: Context<MonitorEnv>, logger: Logger): Response {
  let apiError: ApiError;
  if (error instanceof ApiError) apiError = error;
  else if (error instanceof EverTaskError && error.code === 'ERR_INVALID_ARGUMENT') apiError = new ApiError('ERR_BAD_REQUEST', error.message);
  else {
    logger.error(`[@evertask/monitor] ${c.req.method} ${new URL(c.req.url).pathname} failed: ${error instanceof Error ? error.message : String(error)}`, { error });
    const message = error instanceof EverTaskError && error.code === 'ERR_STORAGE' ? `Storage failure: ${error.message}` : 'Internal error; see the server log.';
    apiError = new ApiError('ERR_INTERNAL', message);
  }
  const body: ApiErrorBody = { error: { code: apiError.code, message: apiError.message, ...(apiError.field ? { field: apiError.field } : {}) } };
  return c.json(body, apiError.status as 400);
}

function guardParts(o: ResolvedMonitorOptions): GuardParts {
  return {
    auth: o.auth,
    tokens: o.auth === false ? undefined : new SessionTokens(o.auth.secret),
    credentials: o.auth === false ? undefined : new CredentialChecker(o.auth.users),
    allowList: o.allowIps === undefined ? undefined : new IpAllowList(o.allowIps),
    trustProxy: o.trustProxy,
    now: () => o.clock.now(),
  };
}

/**
 * The monitor: REST API under `${basePath}/api`, live events at `${basePath}/api/events`,
 * Prometheus metrics at `${basePath}/metrics`. Authentication is on unless `auth: false`.
 */
export function createMonitor(options: MonitorOptions): Monitor {
  const o = resolveMonitorOptions(options);
  const source = new EngineMonitorSource(o.everTask, o.storage, o.clock);
  const rateLimits = new RateLimitTracker();
  const metrics = new EngineMetrics(source);
  const streams = new LiveEventStreams(source, o.sseHeartbeatMs, o.maxSseConnections);
  const unsubscribe = source.subscribe((event) => {
    rateLimits.observe(event);
    metrics.observe(event);
  });
  const parts = guardParts(o);

  const api = new Hono<MonitorEnv>();
  // no route takes more than a login body; DELETE reads none (and Hono's limit, rebuilding the
  // request around the body stream, fails on a bodiless DELETE under @hono/node-server)
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new ApiError('ERR_PAYLOAD_TOO_LARGE', `The request body is over ${MAX_BODY_BYTES} bytes.`, 'body');
    },
  });
  api.use('*', (c, next) => (c.req.method === 'DELETE' ? next() : limitBody(c, next)));
  const config: MonitorConfigResponse = {
    apiBasePath: `${o.basePath}/api`,
    eventsPath: `${o.basePath}/api/events`,
    metricsPath: `${o.basePath}/metrics`,
    requireAuthentication: o.auth !== false,
    csrfHeader: CSRF_HEADER,
    actions: ['cancel', 'run-now', 'retry', 'delete', 'pause-queue', 'resume-queue', 'bulk-retry', 'bulk-cancel'],
    sseHeartbeatMs: o.sseHeartbeatMs,
  };
  api.get('/config', (c) => {
    parseQuery(noQuery, c.req.queries());
    return c.json(config);
  });
  if (o.auth !== false && parts.tokens && parts.credentials) {
    api.route(
      '/auth',
      authRoutes({
        auth: o.auth,
        tokens: parts.tokens,
        credentials: parts.credentials,
        limiter: new LoginLimiter(o.auth.maxLoginAttempts, o.auth.loginWindowMs),
        trustProxy: o.trustProxy,
        cookiePath: o.basePath === '' ? '/' : o.basePath,
        now: parts.now,
      }),
    );
  } else {
    api.all('/auth/*', () => {
      throw new ApiError('ERR_NOT_FOUND', 'Authentication is off on this monitor (auth: false): there is nothing to log in to.');
    });
  }
  api.use('*', authenticationGuard(parts));
  api.get('/events', (c) => streams.handle(c));
  api.route('/tasks', taskActionRoutes(source, o.logger));
  api.route('/tasks', taskRoutes(source, o.maxPageSize));
  api.route('/dashboard', dashboardRoutes(source, rateLimits));
  api.route('/queues', queueRoutes(source, rateLimits, o.maxPageSize, o.logger));
  api.route('/statistics', statisticsRoutes(source));
  api.route('/', systemRoutes(source, rateLimits));

  const root = new Hono<MonitorEnv>();
  const app = o.basePath === '' ? root : root.basePath(o.basePath);
  app.use('*', allowListGuard(parts));
  if (o.auth === false || o.auth.publicMetrics) app.get('/metrics', async (c) => c.text(await metrics.render(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }));
  else {
    app.get('/metrics', authenticationGuard(parts, true), async (c) =>
      c.text(await metrics.render(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }),
    );
  }
  app.route('/api', api);
  if (o.dashboard !== undefined) {
    const serveDashboard = staticApp(o.dashboard, o.basePath);
    app.on(['GET', 'HEAD'], '*', (c) => {
      const path = new URL(c.req.url).pathname.slice(o.basePath.length);
      if (path === '/api' || path.startsWith('/api/')) throw new ApiError('ERR_NOT_FOUND', `No route ${c.req.method} ${new URL(c.req.url).pathname}.`);
      return serveDashboard(c);
    });
  }
  root.notFound((c) => errorAnswer(new ApiError('ERR_NOT_FOUND', `No route ${c.req.method} ${new URL(c.req.url).pathname}.`), c, o.logger));
  root.onError((error, c) => errorAnswer(error, c, o.logger));

  const listener = getRequestListener(root.fetch, { overrideGlobalObjects: false });
  const prefix = o.basePath;
  const handler: NodeHandler = (request, response, next) => {
    // Express strips its mount path from req.url; originalUrl keeps the full path
    const original = (request as IncomingMessage & { originalUrl?: string }).originalUrl;
    if (original !== undefined) request.url = original;
    const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
    if (next !== undefined && prefix !== '' && path !== prefix && !path.startsWith(`${prefix}/`)) return next();
    void listener(request, response);
  };
  let closed = false;
  return {
    app: root,
    handler,
    fetch: async (request) => root.fetch(request),
    basePath: o.basePath,
    source,
    get liveConnections() {
      return streams.connections;
    },
    close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      streams.closeAll();
    },
  };
}
