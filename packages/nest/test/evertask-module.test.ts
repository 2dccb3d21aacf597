import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { afterAll, describe, expect, it } from 'vitest';
import { EverTask, defineTask, silentLogger } from 'evertask';
import { SqliteStorage } from '@evertask/sqlite';
import type { Monitor } from '@evertask/monitor';
import { EVERTASK_MONITOR, EverTaskModule, EverTaskModuleOptionsError } from '../src/index.js';
import { waitFor } from '../../evertask/test/support/wait-for.js';

const dir = mkdtempSync(join(tmpdir(), 'evertask-nest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ran: string[] = [];
const record = defineTask({ name: 'nest-record', handler: async (payload: { n: number }) => void ran.push(String(payload.n)) });
const engine = (file: string) => ({ storage: new SqliteStorage({ filename: join(dir, file) }), tasks: [record], logger: silentLogger });

describe('EverTaskModule.forRoot', () => {
  it('provides the engine, starts it on bootstrap and stops it (closing the storage) on app.close()', async () => {
    const app = await NestFactory.createApplicationContext(EverTaskModule.forRoot({ engine: engine('lifecycle.db') }), { logger: false });
    const everTask = app.get(EverTask);
    const id = await everTask.dispatch(record, { n: 1 });
    await waitFor(async () => (await everTask.getTask(id))?.status === 'completed', 20_000, 'the task to complete');
    expect(ran).toContain('1');
    await app.close();
    await expect(everTask.dispatch(record, { n: 2 })).rejects.toMatchObject({ code: 'ERR_STOPPED' });
  });

  it('provides a monitor over the same engine when asked, and closes it with the app', async () => {
    const app = await NestFactory.createApplicationContext(
      EverTaskModule.forRoot({ engine: engine('monitor.db'), monitor: { auth: false, basePath: '/ops' }, stop: { timeout: '5s' } }),
      { logger: false },
    );
    const monitor = app.get<Monitor>(EVERTASK_MONITOR);
    expect(monitor.basePath).toBe('/ops');
    const id = await app.get(EverTask).dispatch(record, { n: 3 });
    const answer = await monitor.fetch(new Request(`http://monitor.local/ops/api/tasks/${id}`));
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { id: string }).id).toBe(id);
    await app.close();
    // stop: { timeout } without closeStorage leaves the storage open
    expect(await app.get(EverTask).getTask(id)).toMatchObject({ id });
  });

  it.each([
    [undefined, /needs an options object/],
    [{ engine: 'sqlite' }, /option engine must be the engine's options object .*received string "sqlite"/],
    [{ engine: {}, monitr: {} }, /no option "monitr"; the options are engine, monitor, stop and global/],
    [{ engine: {}, monitor: true }, /option monitor must be an object or left out; received boolean true/],
    [{ engine: {}, global: 'yes' }, /option global must be true or false; received string "yes"/],
  ])('refuses bad options %j with a message naming the fix', (options, message) => {
    const call = () => EverTaskModule.forRoot(options as never);
    expect(call).toThrow(EverTaskModuleOptionsError);
    expect(call).toThrow(message);
  });

  it('lets the engine refuse its own bad options when the app starts', async () => {
    await expect(NestFactory.createApplicationContext(EverTaskModule.forRoot({ engine: { tasks: 'none' } as never }), { logger: false, abortOnError: false })).rejects.toThrow(/tasks/);
  });
});
