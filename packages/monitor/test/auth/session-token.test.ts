import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SessionTokens } from '../../src/auth/session-token.js';

describe('SessionTokens', () => {
  const tokens = new SessionTokens(randomBytes(32));

  it('verifies what it issued until it expires', () => {
    const { token, session } = tokens.issue('ada', 'read-only', 1_000, 60_000);
    expect(session).toEqual({ username: 'ada', role: 'read-only', issuedAt: 1_000, expiresAt: 61_000 });
    expect(tokens.verify(token, 60_999)).toEqual({ ok: true, session });
    expect(tokens.verify(token, 61_000)).toEqual({ ok: false, fault: 'expired' });
  });

  it('refuses changed claims, a changed signature and malformed text', () => {
    const { token } = tokens.issue('ada', 'read-only', 0, 60_000);
    const [body, signature] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const promoted = Buffer.from(JSON.stringify({ ...claims, r: 'admin' })).toString('base64url');
    expect(tokens.verify(`${promoted}.${signature}`, 1)).toEqual({ ok: false, fault: 'bad-signature' });
    expect(tokens.verify(`${body}.${Buffer.alloc(32).toString('base64url')}`, 1)).toEqual({ ok: false, fault: 'bad-signature' });
    expect(tokens.verify('no-dot', 1)).toEqual({ ok: false, fault: 'malformed' });
    expect(tokens.verify('.', 1)).toEqual({ ok: false, fault: 'malformed' });
    expect(new SessionTokens(randomBytes(32)).verify(token, 1)).toEqual({ ok: false, fault: 'bad-signature' });
  });

  it('binds the CSRF token to one session token', () => {
    const first = tokens.issue('ada', 'admin', 0, 60_000).token;
    const second = tokens.issue('ada', 'admin', 0, 60_000).token;
    expect(first).not.toBe(second);
    expect(tokens.isCsrfHeaderValid(first, tokens.csrfFor(first))).toBe(true);
    expect(tokens.isCsrfHeaderValid(first, tokens.csrfFor(second))).toBe(false);
    expect(tokens.isCsrfHeaderValid(first, undefined)).toBe(false);
    expect(tokens.isCsrfHeaderValid(first, 'short')).toBe(false);
  });

  it('refuses a revoked token from then on; junk and foreign tokens are not remembered', () => {
    const own = new SessionTokens(randomBytes(32));
    const { token } = own.issue('ada', 'admin', 1_000, 60_000);
    const other = own.issue('ada', 'admin', 1_000, 60_000).token;
    expect(own.revoke('junk', 2_000)).toBe(false);
    expect(own.revoke(tokens.issue('ada', 'admin', 1_000, 60_000).token, 2_000)).toBe(false);
    expect(own.revoke(token, 2_000)).toBe(true);
    expect(own.verify(token, 2_001)).toEqual({ ok: false, fault: 'revoked' });
    expect(own.verify(other, 2_001).ok).toBe(true);
  });
});
