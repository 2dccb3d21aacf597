import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, expect, it } from 'vitest';
import { createMonitor, type ApiErrorBody, type TasksPage } from '../../src/index.js';
import { waitFor } from '../../../evertask/test/support/wait-for.js';
import { ADMIN, USERS, describeEachBackend } from '../support/monitor-fixture.js';
import { call, get, login, type Credentials } from '../support/http-client.js';

/**
 * Attempts to get past the monitor's authentication that request-guard.test.ts does not make:
 * forged token shapes, tokens replayed after logout and after a secret rotation, CSRF variants,
 * and a login brute force sent in parallel or behind a forged X-Forwarded-For.
 */
await describeEachBackend(import.meta.url, 'authentication bypass attempts', (fixture) => {
  let admin: Credentials;
  beforeAll(async () => {
    admin = await login(fixture().url);
  });

  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  it('refuses forged token shapes: no signature, an empty one, three parts, claims without a signature, junk', async () => {
    const [body] = admin.token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forgedBody = Buffer.from(JSON.stringify({ ...claims, u: 'admin', r: 'admin', exp: Date.now() + 3_600_000 })).toString('base64url');
    for (const token of [body, `${body}.`, `${body}..`, `${admin.token}.x`, `${forgedBody}.${admin.token.split('.')[1]}`, 'e30.e30', '.', 'null', `${forgedBody}.AAAA`]) {
      const answer = await call<ApiErrorBody>(`${fixture().url}/api/tasks`, bearer(token));
      expect(answer.status, token).toBe(401);
      expect(answer.body.error.code, token).toBe('ERR_UNAUTHENTICATED');
    }
    // the cookie path checks the same
    const byCookie = await call<ApiErrorBody>(`${fixture().url}/api/tasks`, { headers: { cookie: `evertask_session=${forgedBody}.AAAA` } });
    expect(byCookie.status).toBe(401);
  });

  it('a token replayed after logout is refused, by bearer and by cookie; other sessions still work', async () => {
    const leaving = await login(fixture().url);
    const staying = await login(fixture().url);
    expect((await get(fixture().url, '/api/tasks', leaving)).status).toBe(200);
    const out = await fetch(`${fixture().url}/api/auth/logout`, { method: 'POST', headers: { cookie: leaving.cookie } });
    expect(out.status).toBe(204);
    const replayed = await call<ApiErrorBody>(`${fixture().url}/api/tasks`, bearer(leaving.token));
    expect(replayed.status).toBe(401);
    expect(replayed.body.error.message).toMatch(/logged out/);
    expect((await call(`${fixture().url}/api/tasks`, { headers: { cookie: leaving.cookie } })).status).toBe(401);
    const validated = await call<{ isValid: boolean }>(`${fixture().url}/api/auth/validate`, { method: 'POST', body: JSON.stringify({ token: leaving.token }) });
    expect(validated.body.isValid).toBe(false);
    expect((await get<TasksPage>(fixture().url, '/api/tasks', staying)).status).toBe(200);
  });

  it('logging out with a bearer token revokes that token', async () => {
    const session = await login(fixture().url);
    const out = await fetch(`${fixture().url}/api/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${session.token}` } });
    expect(out.status).toBe(204);
    expect((await call(`${fixture().url}/api/tasks`, bearer(session.token))).status).toBe(401);
  });

  it('a token replayed after the secret is rotated is refused by the monitor holding the new secret', async () => {
    const before = await fixture().serve({ auth: { users: USERS, secret: 'a'.repeat(32) } });
    const token = (await login(before.url)).token;
    expect((await call(`${before.url}/api/tasks`, bearer(token))).status).toBe(200);
    const rotated = await fixture().serve({ auth: { users: USERS, secret: 'b'.repeat(32) } });
    const replayed = await call<ApiErrorBody>(`${rotated.url}/api/tasks`, bearer(token));
    expect(replayed.status).toBe(401);
    expect(replayed.body.error.message).toMatch(/signature/);
    // a monitor started again with the old secret still accepts it: rotation, not restart, revokes
    const sameSecret = await fixture().serve({ auth: { users: USERS, secret: 'a'.repeat(32) } });
    expect((await call(`${sameSecret.url}/api/tasks`, bearer(token))).status).toBe(200);
  });

  it('refuses a cookie action with a CSRF header of another session, a bare cookie from another origin, and a form post', async () => {
    const other = await login(fixture().url);
    const action = `${fixture().url}/api/queues/default/pause`;
    const attempts: { what: string; headers: Record<string, string>; body?: string }[] = [
      { what: 'another session\'s CSRF token', headers: { cookie: admin.cookie, 'x-evertask-csrf': other.csrfToken } },
      { what: 'the session token itself as CSRF', headers: { cookie: admin.cookie, 'x-evertask-csrf': admin.token } },
      { what: 'cross-origin, no header', headers: { cookie: admin.cookie, origin: 'https://evil.example' } },
      { what: 'an empty header', headers: { cookie: admin.cookie, 'x-evertask-csrf': '' } },
      { what: 'a form post', headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' }, body: 'x=1' },
    ];
    for (const attempt of attempts) {
      const answer = await call<ApiErrorBody>(action, { method: 'POST', headers: attempt.headers, ...(attempt.body === undefined ? {} : { body: attempt.body }) });
      expect(answer.status, attempt.what).toBe(403);
      expect(answer.body.error.code, attempt.what).toBe('ERR_CSRF');
    }
    expect((await fixture().everTask.pausedQueues()).map((q) => q.queue)).not.toContain('default');
    // with its own header the same cookie acts
    const allowed = await call(action, { method: 'POST', headers: { cookie: admin.cookie, 'x-evertask-csrf': admin.csrfToken } });
    expect(allowed.status).toBe(200);
    await fixture().everTask.resumeQueue('default');
  });

  it('a brute force sent in parallel gets no more guesses than the limit', async () => {
    const server = await fixture().serve({ auth: { users: USERS, maxLoginAttempts: 3, loginWindow: '10m' } });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call<ApiErrorBody>(`${server.url}/api/auth/login`, { method: 'POST', body: JSON.stringify({ ...ADMIN, password: `guess-${i}-wrong` }) })),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(27);
    expect((await call(`${server.url}/api/auth/login`, { method: 'POST', body: JSON.stringify(ADMIN) })).status).toBe(429);
  });

  it('logins whose bodies arrive after every one of them passed the first limiter check get no more guesses than the limit', async () => {
    const monitor = createMonitor({ everTask: fixture().everTask, auth: { users: USERS, maxLoginAttempts: 3, loginWindow: '10m' } });
    let received = 0;
    const server = createServer((req, res) => {
      received++;
      monitor.handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const bodies = Array.from({ length: 20 }, (_, i) => JSON.stringify({ ...ADMIN, password: `late-${i}-wrong` }));
      const requests = bodies.map((body) => {
        const req = request({ host: '127.0.0.1', port, path: '/api/auth/login', method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
        const status = new Promise<number>((resolve, reject) => {
          req.on('response', (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
        });
        req.flushHeaders();
        return { req, status, body };
      });
      // every handler has run up to reading its body (the first check passed for all: no failure yet)
      await waitFor(() => received === bodies.length, 15_000, 'every login request to reach the monitor');
      for (const { req, body } of requests) req.end(body);
      const statuses = await Promise.all(requests.map((r) => r.status));
      expect(statuses.filter((s) => s === 401)).toHaveLength(3);
      expect(statuses.filter((s) => s === 429)).toHaveLength(17);
    } finally {
      monitor.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a forged X-Forwarded-For does not reset the limiter unless trustProxy is on', async () => {
    const server = await fixture().serve({ auth: { users: USERS, maxLoginAttempts: 2, loginWindow: '10m' } });
    const attempt = (i: number) =>
      call(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'x-forwarded-for': `10.0.0.${i}`, 'x-real-ip': `10.0.1.${i}` }, body: JSON.stringify({ ...ADMIN, password: `wrong-${i}-password` }) });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt(i)).status);
    expect(statuses).toEqual([401, 401, 429, 429, 429, 429]);
  });
});
