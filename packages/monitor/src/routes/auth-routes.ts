import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { LoginResponse, ValidateResponse } from '../api-types.js';
import type { MonitorEnv } from '../monitor-env.js';
import type { ResolvedAuth } from '../options.js';
import type { CredentialChecker } from '../auth/credentials.js';
import type { LoginLimiter } from '../auth/login-limiter.js';
import type { SessionTokens } from '../auth/session-token.js';
import { ApiError } from '../errors.js';
import { CSRF_COOKIE, SESSION_COOKIE } from '../auth/request-guard.js';
import { clientAddress, isHttps } from '../client-address.js';
import { jsonBody } from '../request-body.js';
import { parseOrThrow } from '../validation.js';

const loginBody = z.strictObject({
  username: z.string({ error: 'username must be a string' }).min(1, { error: 'username is required' }).max(100),
  password: z.string({ error: 'password must be a string' }).min(1, { error: 'password is required' }).max(1000),
});

const tokenBody = z.strictObject({ token: z.string().min(1).max(4000).optional() });

export interface AuthRouteParts {
  auth: ResolvedAuth;
  tokens: SessionTokens;
  credentials: CredentialChecker;
  limiter: LoginLimiter;
  trustProxy: boolean;
  cookiePath: string;
  now: () => number;
}

/** The 429 of a limited address, with its Retry-After. */
function tooMany(address: string, waitMs: number, c: Context<MonitorEnv>): ApiError {
  c.header('Retry-After', String(Math.ceil(waitMs / 1000)));
  return new ApiError('ERR_TOO_MANY_REQUESTS', `Too many failed logins from ${address}; try again in ${Math.ceil(waitMs / 1000)} s.`);
}

/** `POST /auth/login`, `POST /auth/validate`, `POST /auth/logout` (public: the guard does not run on them). */
export function authRoutes(parts: AuthRouteParts): Hono<MonitorEnv> {
  const routes = new Hono<MonitorEnv>();

  routes.post('/login', async (c) => {
    const address = clientAddress(c, parts.trustProxy) ?? 'unknown';
    const now = parts.now();
    const wait = parts.limiter.retryAfter(address, now);
    if (wait > 0) throw tooMany(address, wait, c);
    const body = parseOrThrow(loginBody, await jsonBody(c), 'Body field');
    // again after reading the body: logins sent in parallel all passed the first check before any failed
    if (parts.limiter.retryAfter(address, now) > 0) throw tooMany(address, parts.limiter.retryAfter(address, now), c);
    const role = parts.credentials.authenticate(body.username, body.password);
    if (role === undefined) {
      parts.limiter.recordFailure(address, now);
      throw new ApiError('ERR_UNAUTHENTICATED', 'Wrong username or password.');
    }
    parts.limiter.recordSuccess(address);
    const { token, session } = parts.tokens.issue(body.username, role, now, parts.auth.tokenTtlMs);
    const csrfToken = parts.tokens.csrfFor(token);
    const secure = parts.auth.secureCookie === 'auto' ? isHttps(c, parts.trustProxy) : parts.auth.secureCookie;
    const maxAge = Math.floor(parts.auth.tokenTtlMs / 1000);
    setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Strict', secure, path: parts.cookiePath, maxAge });
    // readable by the page, which echoes it in the X-EverTask-CSRF header
    setCookie(c, CSRF_COOKIE, csrfToken, { httpOnly: false, sameSite: 'Strict', secure, path: parts.cookiePath, maxAge });
    const answer: LoginResponse = { token, expiresAt: new Date(session.expiresAt).toISOString(), username: session.username, role, csrfToken };
    return c.json(answer);
  });

  routes.post('/validate', async (c) => {
    const body = parseOrThrow(tokenBody, await jsonBody(c), 'Body field');
    const token = body.token ?? /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (token === undefined) throw new ApiError('ERR_BAD_REQUEST', 'Give the token as { "token": "..." } or as Authorization: Bearer <token>.', 'token');
    const check = parts.tokens.verify(token, parts.now());
    const role = check.ok ? parts.credentials.roleOf(check.session.username) : undefined;
    const answer: ValidateResponse =
      check.ok && role !== undefined
        ? { isValid: true, username: check.session.username, role, expiresAt: new Date(check.session.expiresAt).toISOString() }
        : { isValid: false };
    return c.json(answer);
  });

  routes.post('/logout', (c) => {
    // revoke what the caller holds: its bearer token and its session cookie (a replay is then refused)
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    for (const token of [bearer, getCookie(c, SESSION_COOKIE)]) if (token !== undefined) parts.tokens.revoke(token, parts.now());
    deleteCookie(c, SESSION_COOKIE, { path: parts.cookiePath });
    deleteCookie(c, CSRF_COOKIE, { path: parts.cookiePath });
    return c.body(null, 204);
  });

  return routes;
}
