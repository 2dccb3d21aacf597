import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { EverTask, defineTask, noRetry, silentLogger, type TaskStorage } from 'evertask';
import { SqliteStorage } from '@evertask/sqlite';
import { PostgresStorage } from '@evertask/postgres';
import { PG_URL, describeWithPostgres, dropSchemas, testSchema } from '../../../postgres/test/pg-test-helpers.js';
import { startMonitorServer, type MonitorServer, type MonitorServerOptions } from '../../src/index.js';

export const ADMIN = { username: 'admin', password: 'admin-password-1' } as const;
export const VIEWER = { username: 'viewer', password: 'viewer-password-1' } as const;
export const USERS = [
  { ...ADMIN, role: 'admin' as const },
  { ...VIEWER, role: 'read-only' as const },
];

/** Releases the `gated` task runs waiting on it. */
export class Gate {
  #open!: () => void;
  promise = new Promise<void>((resolve) => (this.#open = resolve));
  open(): void {
    this.#open();
  }
}

let gate = new Gate();

export const quickTask = defineTask({
  name: 'quick',
  handler: async (payload: { n: number }, ctx) => {
    ctx.logger.debug('debug line {n}', payload.n);
    ctx.logger.information('working on {n}', payload.n);
    ctx.logger.warning('warning about {n}', payload.n);
  },
});

export const failingTask = defineTask({
  name: 'failing',
  retry: noRetry(),
  handler: async (payload: { reason: string }) => {
    throw new Error(`boom: ${payload.reason}`);
  },
});

export const gatedTask = defineTask({
  name: 'gated',
  handler: async (_payload: { n: number }, ctx) => {
    await Promise.race([gate.promise, new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }))]);
  },
});

export const emailTask = defineTask({ name: 'email', queue: 'emails', handler: async (_payload: { to: string }) => undefined });

export const limitedTask = defineTask({
  name: 'limited',
  rateLimit: { permits: 1, period: '1h', maxWait: '2h', key: (payload: { customer: string }) => payload.customer },
  handler: async (_payload: { customer: string }) => undefined,
});

/** A fresh gate for `gatedTask` (open the previous one first). */
export function newGate(): Gate {
  gate.open();
  gate = new Gate();
  return gate;
}

export type BackendName = 'sqlite' | 'postgres';

export interface MonitorFixture {
  readonly backend: BackendName;
  readonly storage: TaskStorage;
  readonly everTask: EverTask;
  /** The default server: auth with USERS, on 127.0.0.1:0. */
  readonly server: MonitorServer;
  readonly url: string;
  /** Another server over the same engine (closed after the file). */
  serve(options: Partial<MonitorServerOptions>): Promise<MonitorServer>;
  /** Deletes every task (and its history). */
  reset(): Promise<void>;
}

interface BackendParts {
  storage: TaskStorage;
  reset(): Promise<void>;
  dispose(): Promise<void>;
}

function sqliteBackend(): BackendParts {
  const dir = mkdtempSync(join(tmpdir(), 'evertask-monitor-'));
  const database = new Database(join(dir, 'tasks.db'));
  return {
    storage: new SqliteStorage({ database }),
    reset: async () => {
      database.exec('DELETE FROM evertask_tasks; DELETE FROM evertask_paused_queues');
    },
    dispose: async () => {
      database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresBackend(fileUrl: string): BackendParts {
  const schema = testSchema(fileUrl);
  const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
  admin.on('error', () => undefined);
  return {
    storage: new PostgresStorage({ connectionString: PG_URL, schema }),
    reset: async () => {
      await admin.query(`TRUNCATE "${schema}".tasks CASCADE; TRUNCATE "${schema}".paused_queues`);
    },
    dispose: async () => {
      await admin.end();
      await dropSchemas(schema);
    },
  };
}

/**
 * Registers `body` once per backend: SQLite always, PostgreSQL when it answers (skipped loudly
 * outside CI otherwise). Each backend gets one engine and one monitor server for the file, its
 * tasks deleted before each test.
 */
export async function describeEachBackend(fileUrl: string, title: string, body: (fixture: () => MonitorFixture) => void): Promise<void> {
  const describePostgres = await describeWithPostgres();
  const register = (backend: BackendName, describer: typeof describe) =>
    describer(`${title} (${backend})`, () => {
      let fixture: MonitorFixture | undefined;
      let parts: BackendParts | undefined;
      const extra: MonitorServer[] = [];
      beforeAll(async () => {
        parts = backend === 'sqlite' ? sqliteBackend() : postgresBackend(fileUrl);
        const everTask = new EverTask({
          storage: parts.storage,
          tasks: [quickTask, failingTask, gatedTask, emailTask, limitedTask],
          queues: { emails: { concurrency: 2, capacity: 50, whenFull: 'throw', timeout: '30s' } },
          defaults: { logs: { enabled: true, minLevel: 'debug' } },
          logger: silentLogger,
          sweepInterval: '200ms',
        });
        await everTask.start();
        const server = await startMonitorServer({ everTask, auth: { users: USERS }, port: 0, sseHeartbeat: '100ms', logger: silentLogger });
        fixture = {
          backend,
          storage: parts.storage,
          everTask,
          server,
          url: server.url,
          serve: async (options) => {
            const more = await startMonitorServer({ everTask, auth: { users: USERS }, port: 0, logger: silentLogger, ...options });
            extra.push(more);
            return more;
          },
          reset: () => (parts as BackendParts).reset(),
        };
      });
      beforeEach(async () => {
        await fixture?.reset();
      });
      afterAll(async () => {
        for (const more of extra) await more.close();
        await fixture?.server.close();
        newGate();
        await fixture?.everTask.stop({ timeout: 2000, closeStorage: true });
        await parts?.dispose();
      });
      body(() => {
        if (fixture === undefined) throw new Error('The monitor fixture is set up in beforeAll; use it inside a test.');
        return fixture;
      });
    });
  register('sqlite', describe);
  register('postgres', describePostgres);
}
