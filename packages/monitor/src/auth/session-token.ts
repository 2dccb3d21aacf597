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
export type TokenFault = 'malformed' | 'bad-signature' | 'expired' | 'revoked';

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

/** Revoked tokens remembered at most (each until it expires); past it the oldest is forgotten first. */
export const MAX_REVOKED_TOKENS = 100_000;

/**
 * Compact signed tokens: `base64url(claims JSON).base64url(HMAC-SHA256(secret, first part))`.
 * Any monitor process with the same secret accepts them until they expire, except those this
 * process revoked (logout): the revocation list is in memory, per process, each entry kept until
 * its token expires. Rotating the secret revokes every token everywhere.
 */
export class SessionTokens {
  readonly #secret: Buffer;
  /** Signature of a revoked token → its expiry (insertion order: oldest first). */
  readonly #revoked = new Map<string, number>();

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
    if (this.#revoked.has(signature)) return { ok: false, fault: 'revoked' };
    return { ok: true, session: { username: claims.u, role: claims.r, issuedAt: claims.iat, expiresAt: claims.exp } };
  }

  /**
   * Refuses `token` from now on in this process (until it expires). Only a valid token is
   * remembered, so junk sent to logout cannot fill the list. Returns whether it was revoked.
   */
  revoke(token: string, now: number): boolean {
    const check = this.verify(token, now);
    if (!check.ok) return false;
    for (const [signature, expiresAt] of this.#revoked) {
      if (expiresAt > now && this.#revoked.size < MAX_REVOKED_TOKENS) break;
      this.#revoked.delete(signature);
    }
    this.#revoked.set(token.split('.')[1] as string, check.session.expiresAt);
    return true;
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
