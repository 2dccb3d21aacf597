import { beforeAll, expect, it } from 'vitest';
import { ManualClock } from 'evertask/testing';
import type { ApiErrorBody, CancelResponse, LoginResponse, TasksPage, ValidateResponse } from '../../src/index.js';
import { ADMIN, VIEWER, USERS, describeEachBackend, gatedTask, newGate } from '../support/monitor-fixture.js';
import { call, get, login, post, waitUntil, type Credentials } from '../support/http-client.js';

await describeEachBackend(import.meta.url, 'authentication and authorisation', (fixture) => {
  let admin: Credentials;
  beforeAll(async () => {
    admin = await login(fixture().url);
  });

  async function runningTask(): Promise<string> {
    const { everTask } = fixture();
    newGate();
    const id = await everTask.dispatch(gatedTask, { n: 1 });
    await waitUntil(async () => (await everTask.getTask(id))?.status === 'in-progress', 'the gated task to start');
    return id;
  }

  it('refuses every API route without a token (401), but serves the public config', async () => {
    for (const path of ['/api/tasks', '/api/tasks/counts', '/api/dashboard/overview', '/api/queues', '/api/instances', '/api/events', '/metrics']) {
      const answer = await call<ApiErrorBody>(`${fixture().url}${path}`);
      expect(answer.status, path).toBe(401);
      expect(answer.body.error.code).toBe('ERR_UNAUTHENTICATED');
    }
    const config = await call<{ requireAuthentication: boolean; apiBasePath: string }>(`${fixture().url}/api/config`);
    expect(config.status).toBe(200);
    expect(config.body).toMatchObject({ requireAuthentication: true, apiBasePath: '/api' });
  });

  it('logs in with a HttpOnly SameSite=Strict cookie and a bearer token; wrong credentials answer 401', async () => {
    const answer = await fetch(`${fixture().url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as LoginResponse;
    expect(body).toMatchObject({ username: 'admin', role: 'admin' });
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(7 * 3_600_000);
    const session = answer.headers.getSetCookie().find((cookie) => cookie.startsWith('evertask_session='));
    expect(session).toContain('HttpOnly');
    expect(session).toContain('SameSite=Strict');
    expect(session).toContain('Path=/');
    const byCookie = await call<TasksPage>(`${fixture().url}/api/tasks`, { headers: { cookie: (session as string).split(';')[0] as string } });
    expect(byCookie.status).toBe(200);
    const byBearer = await get<TasksPage>(fixture().url, '/api/tasks', { ...admin, token: body.token });
    expect(byBearer.status).toBe(200);
    for (const wrong of [{ ...ADMIN, password: 'not-the-password' }, { username: 'nobody', password: ADMIN.password }]) {
      const refused = await call<ApiErrorBody>(`${fixture().url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(wrong) });
      expect(refused.status).toBe(401);
      expect(refused.body.error.message).toBe('Wrong username or password.');
    }
    const missing = await call<ApiErrorBody>(`${fixture().url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"admin"}' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.field).toBe('password');
    const secretInMessage = await call<ApiErrorBody>(`${fixture().url}/api/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'admin', password: ['hunter2-secret'] }) });
    expect(secretInMessage.status).toBe(400);
    expect(secretInMessage.body.error.message).not.toContain('hunter2');
    const notJson = await call<ApiErrorBody>(`${fixture().url}/api/auth/login`, { method: 'POST', body: 'username=admin' });
    expect(notJson.status).toBe(400);
    const huge = await call<ApiErrorBody>(`${fixture().url}/api/auth/login`, { method: 'POST', body: JSON.stringify({ ...ADMIN, password: 'x'.repeat(20_000) }) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('ERR_PAYLOAD_TOO_LARGE');
  });

  it('refuses a tampered token and one signed by another secret', async () => {
    const [body, signature] = admin.token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as { r: string };
    const promoted = Buffer.from(JSON.stringify({ ...claims, u: 'viewer' })).toString('base64url');
    for (const token of [`${promoted}.${signature}`, `${body}.${signature.slice(0, -2)}AA`, 'garbage', `${body}`]) {
      const answer = await get<ApiErrorBody>(fixture().url, '/api/tasks', { ...admin, token });
      expect(answer.status, token).toBe(401);
    }
    const other = await fixture().serve({ auth: { users: USERS, secret: 'another-secret-another-secret-12345' } });
    const foreign = await get<ApiErrorBody>(other.url, '/api/tasks', admin);
    expect(foreign.status).toBe(401);
    expect(foreign.body.error.message).toContain('signature');
  });

  it('refuses an expired token (injected clock) and validates tokens', async () => {
    const clock = new ManualClock(Date.now());
    const server = await fixture().serve({ clock, auth: { users: USERS, tokenTtl: '1m' } });
    const credentials = await login(server.url);
    expect((await get(server.url, '/api/tasks', credentials)).status).toBe(200);
    const valid = await post<ValidateResponse>(server.url, '/api/auth/validate', credentials);
    expect(valid.body).toMatchObject({ isValid: true, username: 'admin', role: 'admin' });
    await clock.advance(60_001);
    const expired = await get<ApiErrorBody>(server.url, '/api/tasks', credentials);
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toContain('expired');
    const invalid = await call<ValidateResponse>(`${server.url}/api/auth/validate`, { method: 'POST', body: JSON.stringify({ token: credentials.token }) });
    expect(invalid.body).toEqual({ isValid: false });
    const noToken = await call<ApiErrorBody>(`${server.url}/api/auth/validate`, { method: 'POST' });
    expect(noToken.status).toBe(400);
  });

  it('lets the read-only role look but not act (403), and the admin act', async () => {
    const viewer = await login(fixture().url, VIEWER);
    expect((await get(fixture().url, '/api/tasks', viewer)).status).toBe(200);
    const id = await runningTask();
    const refused = await post<ApiErrorBody>(fixture().url, `/api/tasks/${id}/cancel`, viewer);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain('read-only');
    expect((await fixture().everTask.getTask(id))?.status).toBe('in-progress');
    const done = await post<CancelResponse>(fixture().url, `/api/tasks/${id}/cancel`, admin);
    expect(done.status).toBe(200);
  });

  it('requires the CSRF header bound to the session for an action made with the cookie', async () => {
    const id = await runningTask();
    const url = `${fixture().url}/api/tasks/${id}/cancel`;
    const noHeader = await call<ApiErrorBody>(url, { method: 'POST', headers: { cookie: admin.cookie } });
    expect(noHeader.status).toBe(403);
    expect(noHeader.body.error.code).toBe('ERR_CSRF');
    const other = await login(fixture().url);
    const wrongHeader = await call<ApiErrorBody>(url, { method: 'POST', headers: { cookie: admin.cookie, 'x-evertask-csrf': other.csrfToken } });
    expect(wrongHeader.status).toBe(403);
    expect((await fixture().everTask.getTask(id))?.status).toBe('in-progress');
    const ok = await call<CancelResponse>(url, { method: 'POST', headers: { cookie: admin.cookie, 'x-evertask-csrf': admin.csrfToken } });
    expect(ok.status).toBe(200);
    expect(ok.body.cancelled).toBe(true);
  });

  it('protects an open monitor (auth: false) from cross-site actions', async () => {
    const open = await fixture().serve({ auth: false });
    expect((await call(`${open.url}/api/tasks`)).status).toBe(200);
    expect((await call(`${open.url}/api/auth/login`, { method: 'POST', body: '{}' })).status).toBe(404);
    const id = await runningTask();
    const url = `${open.url}/api/tasks/${id}/cancel`;
    expect((await call<ApiErrorBody>(url, { method: 'POST' })).status).toBe(403);
    const crossSite = await call<ApiErrorBody>(url, { method: 'POST', headers: { 'x-evertask-csrf': '1', origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.message).toContain('evil.example');
    const sameSite = await call<CancelResponse>(url, { method: 'POST', headers: { 'x-evertask-csrf': '1', origin: new URL(open.url).origin } });
    expect(sameSite.status).toBe(200);
  });

  it('answers 403 to an address outside allowIps, before authentication; trustProxy reads X-Forwarded-For', async () => {
    const closed = await fixture().serve({ allowIps: ['10.0.0.0/8', 'fd00::/8'] });
    const refused = await call<ApiErrorBody>(`${closed.url}/api/auth/login`, { method: 'POST', body: JSON.stringify(ADMIN) });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain('allowIps');
    expect((await call(`${closed.url}/api/config`)).status).toBe(403);
    const allowed = await fixture().serve({ allowIps: ['127.0.0.1/32', '::1'] });
    expect((await get(allowed.url, '/api/tasks', await login(allowed.url))).status).toBe(200);
    const proxied = await fixture().serve({ allowIps: ['10.1.2.3'], trustProxy: true });
    expect((await call(`${proxied.url}/api/config`, { headers: { 'x-forwarded-for': '203.0.113.9, 10.1.2.3' } })).status).toBe(200);
    expect((await call(`${proxied.url}/api/config`, { headers: { 'x-forwarded-for': '10.9.9.9' } })).status).toBe(403);
    // an entry the client wrote before the proxy's own does not count
    expect((await call(`${proxied.url}/api/config`, { headers: { 'x-forwarded-for': '10.1.2.3, 10.9.9.9' } })).status).toBe(403);
    // without trustProxy the header is ignored
    expect((await call(`${closed.url}/api/config`, { headers: { 'x-forwarded-for': '10.1.2.3' } })).status).toBe(403);
  });

  it('rate-limits failed logins per address: past the limit even the right password answers 429', async () => {
    const clock = new ManualClock(Date.now());
    const server = await fixture().serve({ clock, auth: { users: USERS, maxLoginAttempts: 3, loginWindow: '10m' } });
    const attempt = (user: { username: string; password: string }) =>
      call<ApiErrorBody>(`${server.url}/api/auth/login`, { method: 'POST', body: JSON.stringify(user) });
    for (let i = 0; i < 3; i++) expect((await attempt({ ...ADMIN, password: `wrong-${i}-password` })).status).toBe(401);
    const limited = await attempt(ADMIN);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    await clock.advance(10 * 60_000 + 1);
    expect((await attempt(ADMIN)).status).toBe(200);
  });

  it('logs out by clearing the cookies', async () => {
    const answer = await fetch(`${fixture().url}/api/auth/logout`, { method: 'POST' });
    expect(answer.status).toBe(204);
    const cleared = answer.headers.getSetCookie();
    expect(cleared.some((cookie) => cookie.startsWith('evertask_session=;') && /Max-Age=0/i.test(cookie))).toBe(true);
  });
});
