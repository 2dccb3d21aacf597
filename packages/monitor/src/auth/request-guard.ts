import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { ResolvedAuth } from '../options.js';
import type { MonitorEnv } from '../monitor-env.js';
import type { IpAllowList } from './ip-allow-list.js';
import type { CredentialChecker } from './credentials.js';
import type { SessionTokens, TokenFault } from './session-token.js';
import { ApiError } from '../errors.js';
import { clientAddress } from '../client-address.js';

export const SESSION_COOKIE = 'evertask_session';
export const CSRF_COOKIE = 'evertask_csrf';
export const CSRF_HEADER = 'X-EverTask-CSRF';

const FAULT_MESSAGES: Record<TokenFault, string> = {
  malformed: 'The token is malformed; log in again (POST /api/auth/login).',
  'bad-signature': 'The token signature does not match (tampered, or signed by another secret); log in again.',
  expired: 'The token expired; log in again.',
  revoked: 'The token was revoked when its session logged out; log in again.',
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface GuardParts {
  auth: ResolvedAuth | false;
  tokens: SessionTokens | undefined;
  credentials: CredentialChecker | undefined;
  allowList: IpAllowList | undefined;
  trustProxy: boolean;
  now: () => number;
}

/** 403 for an address outside `allowIps`, before anything else (the login included). */
export function allowListGuard(parts: GuardParts): MiddlewareHandler<MonitorEnv> {
  return async (c, next) => {
    if (parts.allowList !== undefined) {
      const address = clientAddress(c, parts.trustProxy);
      if (!parts.allowList.allows(address)) {
        throw new ApiError('ERR_FORBIDDEN', `Address ${address ?? '(unknown)'} is not in the monitor's allowIps.`);
      }
    }
    await next();
  };
}

function bearerOf(header: string | undefined): string | undefined {
  const match = header === undefined ? undefined : /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/**
 * Authenticates the caller (bearer token, else the session cookie; HTTP Basic where `allowBasic`)
 * and, for an action (any method but GET/HEAD/OPTIONS), requires the admin role and a CSRF proof:
 * the `X-EverTask-CSRF` header bound to the cookie's session, or, on an open monitor, the header
 * present and any `Origin` the monitor's own (a cross-site form can send neither).
 */
export function authenticationGuard(parts: GuardParts, allowBasic = false): MiddlewareHandler<MonitorEnv> {
  return async (c, next) => {
    const isAction = !SAFE_METHODS.has(c.req.method);
    if (parts.auth === false || parts.tokens === undefined) {
      if (isAction) {
        const origin = c.req.header('origin');
        if (origin !== undefined && origin !== new URL(c.req.url).origin) {
          throw new ApiError('ERR_CSRF', `Cross-site action refused: Origin ${origin} is not this monitor's.`);
        }
        if (!c.req.header(CSRF_HEADER)) throw new ApiError('ERR_CSRF', `Actions need the ${CSRF_HEADER} header (any value on an open monitor).`);
      }
      c.set('session', { username: 'anonymous', role: 'admin', issuedAt: 0, expiresAt: Number.MAX_SAFE_INTEGER });
      return next();
    }
    const authorization = c.req.header('authorization');
    if (allowBasic && authorization !== undefined && /^Basic\s/i.test(authorization)) {
      const role = parts.credentials?.authenticateBasic(authorization);
      if (role === undefined) throw new ApiError('ERR_UNAUTHENTICATED', 'Wrong username or password in the Basic credentials.');
      c.set('session', { username: 'basic', role, issuedAt: 0, expiresAt: 0 });
      return next();
    }
    const bearer = bearerOf(authorization);
    const token = bearer ?? getCookie(c, SESSION_COOKIE);
    if (token === undefined) {
      throw new ApiError('ERR_UNAUTHENTICATED', 'Authentication required: send Authorization: Bearer <token> from POST /api/auth/login, or log in with the dashboard.');
    }
    const check = parts.tokens.verify(token, parts.now());
    if (!check.ok) throw new ApiError('ERR_UNAUTHENTICATED', FAULT_MESSAGES[check.fault]);
    const role = parts.credentials?.roleOf(check.session.username);
    if (role === undefined) throw new ApiError('ERR_UNAUTHENTICATED', `User ${JSON.stringify(check.session.username)} no longer exists; log in again.`);
    const session = { ...check.session, role };
    if (isAction) {
      if (session.role !== 'admin') throw new ApiError('ERR_FORBIDDEN', `User ${JSON.stringify(session.username)} is read-only: actions need the admin role.`);
      if (bearer === undefined && !parts.tokens.isCsrfHeaderValid(token, c.req.header(CSRF_HEADER))) {
        throw new ApiError('ERR_CSRF', `Actions made with the session cookie need the ${CSRF_HEADER} header from the login answer.`);
      }
    }
    c.set('session', session);
    return next();
  };
}
