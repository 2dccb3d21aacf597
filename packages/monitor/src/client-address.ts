import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/** The Node request behind a Hono context, when the app runs on `@hono/node-server` or our handler. */
function incoming(c: Context): IncomingMessage | undefined {
  const env = c.env as { incoming?: IncomingMessage } | undefined;
  return env?.incoming;
}

/**
 * The client's address: the socket's, or with `trustProxy` the last `X-Forwarded-For` entry (the
 * address the proxy in front saw; earlier entries come from the client and could be forged).
 */
export function clientAddress(c: Context, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  return incoming(c)?.socket.remoteAddress;
}

/** True when the request came over HTTPS (with `trustProxy`, as `X-Forwarded-Proto` says). */
export function isHttps(c: Context, trustProxy: boolean): boolean {
  if (trustProxy) {
    const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim();
    if (proto) return proto === 'https';
  }
  return new URL(c.req.url).protocol === 'https:';
}
