import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MonitorRole } from '../api-types.js';

/** Who a valid token belongs to. */
export interface Session {
  username: string;
  role: MonitorRole;
  issuedAt: number;
  expiresAt: number;
}

/** Why a token was refused. */
export type TokenFault = 'malformed' | 'bad-signature' | 'expired';

export type TokenCheck = { ok: true; session: Session } | { ok: false; fault: TokenFault };

interface TokenClaims {
  u: string;
  r: MonitorRole;
  iat: number;
  exp: number;
  /** Random, so two tokens issued in the same millisecond differ. */
  n: string;
}

const sign = (secret: Buffer, body: string): Buffer => createHmac('sha256', secret).update(body).digest();

/**
 * Compact signed tokens: `base64url(claims JSON).base64url(HMAC-SHA256(secret, first part))`.
 * Stateless, so any monitor process with the same secret accepts them until they expire.
 */
export class SessionTokens {
  readonly #secret: Buffer;

  constructor(secret: Buffer) {
    this.#secret = secret;
  }

  issue(username: string, role: MonitorRole, now: number, ttlMs: number): { token: string; session: Session } {
    const claims: TokenClaims = { u: username, r: role, iat: now, exp: now + ttlMs, n: randomBytes(9).toString('base64url') };
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const token = `${body}.${sign(this.#secret, body).toString('base64url')}`;
    return { token, session: { username, role, issuedAt: claims.iat, expiresAt: claims.exp } };
  }

  verify(token: string, now: number): TokenCheck {
    const parts = token.split('.');
    if (parts.length !== 2 || !parts[0] || !parts[1]) return { ok: false, fault: 'malformed' };
    const [body, signature] = parts as [string, string];
    const expected = sign(this.#secret, body);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, fault: 'bad-signature' };
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return { ok: false, fault: 'malformed' };
    }
    if (typeof claims.u !== 'string' || typeof claims.exp !== 'number' || (claims.r !== 'admin' && claims.r !== 'read-only')) {
      return { ok: false, fault: 'malformed' };
    }
    if (claims.exp <= now) return { ok: false, fault: 'expired' };
    return { ok: true, session: { username: claims.u, role: claims.r, issuedAt: claims.iat, expiresAt: claims.exp } };
  }

  /** The CSRF token bound to a session token (double submit: the page echoes it in a header). */
  csrfFor(token: string): string {
    return sign(this.#secret, `csrf.${token}`).toString('base64url');
  }

  /** Constant-time check of a CSRF header against the session token. */
  isCsrfHeaderValid(token: string, header: string | undefined): boolean {
    if (header === undefined) return false;
    const expected = Buffer.from(this.csrfFor(token));
    const given = Buffer.from(header);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
