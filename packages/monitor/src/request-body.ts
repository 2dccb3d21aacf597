import type { Context } from 'hono';
import { ApiError } from './errors.js';

/** The request's JSON body, or a 400 when it is not JSON (an empty body reads as `{}`). */
export async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError('ERR_BAD_REQUEST', 'The request body must be JSON.', 'body');
  }
}
