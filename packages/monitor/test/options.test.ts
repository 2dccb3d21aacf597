import { afterAll, describe, expect, it } from 'vitest';
import { EverTask, silentLogger } from 'evertask';
import { createMonitor, startMonitorServer, isLoopback, MonitorOptionsError, UnsafeBindError, type MonitorOptions } from '../src/index.js';
import { USERS, quickTask } from './support/monitor-fixture.js';
import { call } from './support/http-client.js';

describe('monitor options', () => {
  const everTask = new EverTask({ tasks: [quickTask], logger: silentLogger });
  afterAll(() => everTask.stop());
  const base = { everTask, auth: { users: USERS } } satisfies MonitorOptions;

  it.each([
    [{ ...base, auth: undefined }, 'auth is required'],
    [{ ...base, auth: { users: [] } }, 'auth.users'],
    [{ ...base, auth: { users: [{ username: 'a', password: 'short' }] } }, 'at least 8 characters'],
    [{ ...base, auth: { users: [{ username: 'a b', password: 'long-enough' }] } }, 'username'],
    [{ ...base, auth: { users: [...USERS, USERS[0]] } }, 'listed twice'],
    [{ ...base, auth: { users: [{ username: 'a', password: 'long-enough', role: 'root' }] } }, 'role'],
    [{ ...base, auth: { users: USERS, secret: 'too-short' } }, 'at least 32 bytes'],
    [{ ...base, auth: { users: USERS, tokenTtl: 'forever' } }, 'tokenTtl'],
    [{ ...base, auth: { users: USERS, maxLoginAttempts: 0 } }, 'maxLoginAttempts'],
    [{ ...base, auth: { users: USERS, passwords: [] } }, '"passwords"'],
    [{ ...base, basePath: '/evertask/' }, 'basePath'],
    [{ ...base, basePath: 'evertask' }, 'basePath'],
    [{ ...base, allowIps: [] }, 'allowIps'],
    [{ ...base, allowIps: ['10.0.0.0/40'] }, '10.0.0.0/40'],
    [{ ...base, maxPageSize: 0 }, 'maxPageSize'],
    [{ ...base, colour: 'blue' }, '"colour"'],
    [{ ...base, everTask: {} }, 'everTask'],
    [{ ...base, logger: { error() {} } }, 'logger'],
  ])('refuses %# with a message naming the option', (options, fragment) => {
    expect(() => createMonitor(options as unknown as MonitorOptions)).toThrow(MonitorOptionsError);
    expect(() => createMonitor(options as unknown as MonitorOptions)).toThrow(fragment);
  });

  it('recognises loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1']) expect(isLoopback(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', 'example.com', '::ffff:10.0.0.1']) expect(isLoopback(host), host).toBe(false);
  });

  it('refuses to start an open monitor on a non-loopback address, and starts one with credentials', async () => {
    await expect(startMonitorServer({ everTask, auth: false, host: '0.0.0.0', port: 0 })).rejects.toThrow(UnsafeBindError);
    await expect(startMonitorServer({ everTask, auth: false, host: '0.0.0.0', port: 0 })).rejects.toThrow('auth.users');
    const open = await startMonitorServer({ everTask, auth: false, port: 0 });
    expect(open.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await call(`${open.url}/api/config`)).status).toBe(200);
    await open.close();
    const secured = await startMonitorServer({ everTask, auth: { users: USERS }, host: '0.0.0.0', port: 0 });
    expect((await call(`${secured.url.replace('0.0.0.0', '127.0.0.1')}/api/tasks`)).status).toBe(401);
    await secured.close();
    await expect(startMonitorServer({ everTask, auth: false, port: 70_000 })).rejects.toThrow('port');
  });
});
