import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EverTask, defineTask, noRetry, silentLogger, type TaskStorage } from 'evertask';
import { SqliteStorage } from '@evertask/sqlite';
import { PostgresStorage } from '@evertask/postgres';
import type { TaskCounts, TaskDetail, TasksPage } from '@evertask/monitor';
import { PG_URL, describeWithPostgres, dropSchemas, testSchema } from '../../postgres/test/pg-test-helpers.js';
import { waitFor } from '../../evertask/test/support/wait-for.js';

const BIN = fileURLToPath(new URL('../bin/evertask.mjs', import.meta.url));

/** Runs the real `evertask` binary as a child process (stdout piped, so plain output). */
function evertask(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

const later = defineTask({ name: 'cli-later', handler: async (_payload: { n: number }) => undefined });
const broken = defineTask({
  name: 'cli-broken',
  retry: noRetry(),
  handler: async (_payload: { n: number }) => {
    throw new Error('always fails');
  },
});

/** Seeds one delayed (pending) task and one failed task, with the engine stopped afterwards. */
async function seed(storage: TaskStorage): Promise<{ pending: string; failed: string }> {
  const everTask = new EverTask({ storage, tasks: [later, broken], logger: silentLogger });
  await everTask.start();
  const pending = await everTask.dispatch(later, { n: 1 }, { delay: '1h' });
  const failed = await everTask.dispatch(broken, { n: 2 });
  await waitFor(async () => (await everTask.getTask(failed))?.status === 'failed', 20_000, 'the broken task to fail');
  await everTask.stop({ closeStorage: true });
  return { pending, failed };
}

async function exercise(flags: string[], ids: { pending: string; failed: string }): Promise<void> {
  const list = await evertask('tasks', 'list', ...flags, '--json');
  expect(list.code, list.err).toBe(0);
  expect((JSON.parse(list.out) as TasksPage).items.map((t) => t.id).sort()).toEqual([ids.pending, ids.failed].sort());
  const plain = await evertask('tasks', 'list', ...flags, '--status', 'failed');
  expect(plain.out).toContain(`${ids.failed}  failed`);
  expect(plain.out).not.toContain(ids.pending);
  expect(plain.out).toMatch(/1 of 1 tasks\n$/);
  const shown = await evertask('tasks', 'show', ids.failed, ...flags, '--json');
  expect((JSON.parse(shown.out) as TaskDetail).error).toContain('always fails');
  const stats = await evertask('stats', ...flags, '--json');
  expect(JSON.parse(stats.out) as TaskCounts).toMatchObject({ all: 2, failed: 1 });

  expect(await evertask('tasks', 'cancel', ids.pending, ...flags)).toMatchObject({ code: 0, out: `Cancelled task ${ids.pending}\n` });
  const again = await evertask('tasks', 'cancel', ids.pending, ...flags);
  expect(again.code).toBe(1);
  expect(again.err.trim().split('\n')).toHaveLength(1);
  expect(again.err).toContain('nothing to cancel');
  expect((await evertask('tasks', 'retry', ids.failed, ...flags)).code).toBe(0);
  expect((await evertask('queues', 'pause', 'default', ...flags)).out).toBe('Queue default paused\n');
  const unknown = ids.pending.replace(/.{12}$/, '000000000000');
  const missing = await evertask('tasks', 'show', unknown, ...flags);
  expect(missing.code, missing.err).toBe(1);
  expect(missing.err).toContain(unknown);
  const malformed = await evertask('tasks', 'show', 'no-such-task', ...flags);
  expect(malformed.code, malformed.err).toBe(2);
  expect(malformed.err).toContain('no-such-task');
}

describe('evertask tasks / queues / stats (the binary, on SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evertask-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists, shows, counts, cancels, retries and pauses through the real binary', async () => {
    const file = join(dir, 'tasks.db');
    const ids = await seed(new SqliteStorage({ filename: file }));
    await exercise(['--sqlite', file], ids);
  }, 180_000);

  it('answers usage errors with exit code 2 and one line', async () => {
    for (const args of [['tasks', 'list'], ['tasks', 'show', '--sqlite', join(dir, 'x.db')], ['tasks', 'list', '--sqlite', 'a.db', '--limit', '0'], ['tasks', 'frob', '--sqlite', 'a.db']]) {
      const r = await evertask(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
    }
    const badStatus = await evertask('tasks', 'list', '--sqlite', join(dir, 'y.db'), '--status', 'sleeping');
    expect(badStatus.code).toBe(2);
    expect(badStatus.err).toContain('statuses must be among');
  }, 120_000);
});

const describePg = await describeWithPostgres();
describePg('evertask tasks / queues / stats (the binary, on PostgreSQL)', () => {
  const schema = testSchema(import.meta.url);
  afterAll(() => dropSchemas(schema));

  it('lists, shows, counts, cancels, retries and pauses through the real binary', async () => {
    const ids = await seed(new PostgresStorage({ connectionString: PG_URL, schema, notifications: false }));
    await exercise(['--postgres', PG_URL, '--schema', schema], ids);
  }, 180_000);
});
