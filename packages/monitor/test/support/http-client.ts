import { ADMIN } from './monitor-fixture.js';

/** A logged-in caller: its bearer token, session cookie and CSRF token. */
export interface Credentials {
  token: string;
  cookie: string;
  csrfToken: string;
}

export interface JsonAnswer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** Sends a request and reads its JSON answer (or text when not JSON). */
export async function call<T = unknown>(url: string, init: RequestInit = {}): Promise<JsonAnswer<T>> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = text;
  if (response.headers.get('content-type')?.includes('json')) body = JSON.parse(text);
  return { status: response.status, body: body as T, headers: response.headers };
}

/** Logs in and returns the token, the session cookie and the CSRF token. */
export async function login(baseUrl: string, user: { username: string; password: string } = ADMIN, headers: Record<string, string> = {}): Promise<Credentials> {
  const answer = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(user),
  });
  if (answer.status !== 200) throw new Error(`login failed: ${answer.status} ${await answer.text()}`);
  const body = (await answer.json()) as { token: string; csrfToken: string };
  const session = answer.headers.getSetCookie().find((cookie) => cookie.startsWith('evertask_session='));
  return { token: body.token, csrfToken: body.csrfToken, cookie: (session ?? '').split(';', 1)[0] as string };
}

/** GET with a bearer token, answering JSON. */
export function get<T = unknown>(baseUrl: string, path: string, credentials: Credentials): Promise<JsonAnswer<T>> {
  return call<T>(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${credentials.token}` } });
}

/** POST with a bearer token (no CSRF needed), answering JSON. */
export function post<T = unknown>(baseUrl: string, path: string, credentials: Credentials, body?: unknown): Promise<JsonAnswer<T>> {
  return call<T>(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${credentials.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** DELETE with a bearer token, answering JSON. */
export function del<T = unknown>(baseUrl: string, path: string, credentials: Credentials): Promise<JsonAnswer<T>> {
  return call<T>(`${baseUrl}${path}`, { method: 'DELETE', headers: { authorization: `Bearer ${credentials.token}` } });
}

/** Resolves when `check` returns true, polling every 20 ms, or rejects after `timeoutMs`. */
export async function waitUntil(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
