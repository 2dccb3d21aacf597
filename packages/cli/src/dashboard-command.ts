/**
 * `evertask dashboard --sqlite <file> | --postgres <url>`: the monitor and the dashboard over an
 * existing storage, without running any task (the engine it builds is never started, so it claims
 * nothing; cancelling still works, through the storage). Runs until Ctrl+C / SIGTERM.
 */
import { EverTask, silentLogger, type TaskStorage } from 'evertask';
import { SqliteStorage } from '@evertask/sqlite';
import { PostgresStorage } from '@evertask/postgres';
import { DashboardArgumentError, serveDashboard, type DashboardLogin } from './serve-dashboard.js';

export interface DashboardCommandOptions {
  sqlite?: string | undefined;
  postgres?: string | undefined;
  /** PostgreSQL schema. @defaultValue 'evertask' */
  schema?: string;
  host?: string | undefined;
  port?: number | undefined;
  login: DashboardLogin;
  out: (line: string) => void;
  /** Resolves when the command should stop. @defaultValue the first SIGINT or SIGTERM */
  stopped?: Promise<unknown>;
}

function openStorage(options: DashboardCommandOptions): TaskStorage {
  if ((options.sqlite === undefined) === (options.postgres === undefined)) {
    throw new DashboardArgumentError('dashboard needs exactly one storage: --sqlite <file> or --postgres <url>.');
  }
  if (options.sqlite !== undefined) return new SqliteStorage({ filename: options.sqlite });
  return new PostgresStorage({ connectionString: options.postgres as string, schema: options.schema ?? 'evertask' });
}

function nextSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (name: string) => () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(name);
    };
    const onInt = on('SIGINT');
    const onTerm = on('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}

/** Serves the dashboard over the storage until stopped, then closes everything. */
export async function runDashboardCommand(options: DashboardCommandOptions): Promise<void> {
  const storage = openStorage(options);
  await storage.open();
  try {
    const everTask = new EverTask({ storage, tasks: [], logger: silentLogger });
    const server = await serveDashboard({ everTask, host: options.host, port: options.port, login: options.login, out: options.out });
    options.out(`Reading ${options.sqlite !== undefined ? `SQLite file ${options.sqlite}` : 'PostgreSQL'}; Ctrl+C stops.`);
    await (options.stopped ?? nextSignal());
    await server.close();
  } finally {
    await storage.close();
  }
}
