import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MonitorRole } from '../api-types.js';

/**
 * Checks a username and password in constant time: both sides are first hashed with a per-process
 * key (so they have equal length) and compared with `crypto.timingSafeEqual`; an unknown user is
 * compared against a dummy password, so the time does not tell whether the user exists.
 */
export class CredentialChecker {
  readonly #users: ReadonlyMap<string, { password: Buffer; role: MonitorRole }>;
  readonly #key = randomBytes(32);
  readonly #dummy = randomBytes(32);

  constructor(users: ReadonlyMap<string, { password: Buffer; role: MonitorRole }>) {
    this.#users = users;
  }

  #digest(value: Buffer | string): Buffer {
    return createHmac('sha256', this.#key).update(value).digest();
  }

  /** The role of the user when the password matches, else undefined. */
  authenticate(username: string, password: string): MonitorRole | undefined {
    const user = this.#users.get(username);
    const matches = timingSafeEqual(this.#digest(user?.password ?? this.#dummy), this.#digest(password));
    return user !== undefined && matches ? user.role : undefined;
  }

  /** The role of a still-configured user (a removed user's tokens stop working). */
  roleOf(username: string): MonitorRole | undefined {
    return this.#users.get(username)?.role;
  }

  /** `Authorization: Basic base64(user:password)` (for Prometheus scrapers) → the role, or undefined. */
  authenticateBasic(header: string): MonitorRole | undefined {
    const encoded = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header)?.[1];
    if (encoded === undefined) return undefined;
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    return this.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1));
  }
}
