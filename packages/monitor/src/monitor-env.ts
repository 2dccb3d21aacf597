import type { Session } from './auth/session-token.js';

/** How a request was authenticated. */
export type AuthMethod = 'bearer' | 'cookie' | 'basic' | 'open';

/** Hono variables the monitor's middleware sets for the routes. */
export interface MonitorEnv {
  Variables: {
    /** The caller (an open monitor's caller is an anonymous admin). */
    session: Session;
    authMethod: AuthMethod;
    /** The session token when the caller sent one. */
    token: string | undefined;
  };
}
