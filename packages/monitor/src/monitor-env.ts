import type { Session } from './auth/session-token.js';

/** Hono variables the monitor's middleware sets for the routes. */
export interface MonitorEnv {
  Variables: {
    /** The caller (an open monitor's caller is an anonymous admin); actions are reported with its username. */
    session: Session;
  };
}
