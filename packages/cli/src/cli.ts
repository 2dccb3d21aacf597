/**
 * `evertask` command line. Thin by design: it turns arguments into calls of the storage packages.
 *
 *   evertask migrate --postgres <url> [--schema <name>]       apply the migrations (as PostgresStorage.open() does)
 *   evertask migrate [--schema <name>] [--from <version>] --print
 *                                                             print the SQL (postgresMigrationSql) instead
 *   evertask migrate --mysql <url> [--table-prefix <p>] [--print]
 *                                                             the same for MySQL/MariaDB (mysqlMigrationSql)
 *   evertask demo [--file <path>] [--seconds <n>] [--port <n>] [--host <h>] [--no-dashboard]
 *                                                             run the demo on a SQLite file, serving the dashboard
 *   evertask dashboard --sqlite <file> | --postgres <url> [--port <n>] [--host <h>] [--user <u> --password <p> | --no-auth]
 *                                                             serve the monitor and the dashboard over a storage
 *   evertask --version                                         print the version
 *
 * @packageDocumentation
 * @module @evertask/cli
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MySqlStorage, MYSQL_SCHEMA_VERSION, mysqlMigrationSql } from '@evertask/mysql';
import { PostgresStorage, POSTGRES_SCHEMA_VERSION, postgresMigrationSql } from '@evertask/postgres';
import { runDemo } from './demo.js';
import { runDashboardCommand } from './dashboard-command.js';
import type { DashboardLogin } from './serve-dashboard.js';
import { runStorageCommand } from './task-commands.js';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const USAGE = `Usage:
  evertask migrate --postgres <url> [--schema <name>]      apply the PostgreSQL migrations
  evertask migrate [--schema <name>] [--from <version>] --print
                                                          print the migration SQL instead of applying it
  evertask migrate --mysql <url> [--table-prefix <p>] [--from <version>] [--print]
                                                          the same for MySQL 8 / MariaDB 10.6+
  evertask demo [--file <path>] [--seconds <n>] [--port <n>] [--host <h>] [--no-dashboard]
                                                          run the demo application on a SQLite file and serve its dashboard
  evertask dashboard --sqlite <file> | --postgres <url> [--port <n>] [--host <h>] [--user <u> --password <p> | --no-auth]
                                                          serve the monitor API and the dashboard over a storage
  evertask tasks list [--status <s,...>] [--limit <n>]    the newest tasks (default 20)
  evertask tasks show|cancel|retry <id>                   one task's detail; cancel it; retry a failed one
  evertask queues pause|resume <name>                     pause or resume a queue (every process sees it)
  evertask stats                                          task counts
      (tasks, queues, stats: --sqlite <file> | --postgres <url> [--schema <name>] [--json])
  evertask --version                                      print the version of the command line tool
Options:
  --postgres <url>   connection string, e.g. postgres://user:password@host:5432/db
  --mysql <url>      MySQL URI, e.g. mysql://user:password@host:3306/db (with --print: only picks the dialect)
  --schema <name>    schema of the EverTask tables (default: evertask)
  --table-prefix <p> MySQL: prefix of the EverTask tables (default: evertask_)
  --from <version>   with --print: the schema's current version, 0 to the latest (PostgreSQL ${POSTGRES_SCHEMA_VERSION}, MySQL ${MYSQL_SCHEMA_VERSION}; default 0, a fresh database)
  --print            print the SQL (one transaction) and touch no database
  --file <path>      demo: the SQLite file (default: evertask-demo.db)
  --seconds <n>      demo: how long it runs (default: until Ctrl+C; 20 with --no-dashboard)
  --no-dashboard     demo: do not serve the dashboard
  --sqlite <file>    dashboard: the SQLite file to read
  --port <n>         dashboard, demo: port to listen on, 0 for a free one (default: 3300)
  --host <h>         dashboard, demo: address to listen on (default: 127.0.0.1)
  --user <u>, --password <p>
                     dashboard: the admin account (default: admin with a generated password, shown once; loopback only)
  --no-auth          dashboard: no sign-in (loopback only)
  --status <s,...>   tasks list: only these statuses, e.g. failed,pending
  --limit <n>        tasks list: how many (default: 20)
  --json             tasks, queues, stats: print the monitor API's JSON answer
`;

const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
/** Errors that mean a bad flag (exit 2), not a failure (exit 1). */
const USAGE_ERRORS = new Set(['ERR_CLI_ARGUMENT', 'ERR_MONITOR_OPTIONS', 'ERR_MONITOR_UNSAFE_BIND']);

/** The version of this package (src/ and dist/ both sit one level below its package.json). */
function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

interface ServeValues {
  file: string;
  seconds?: string | undefined;
  host: string;
  user?: string | undefined;
  password?: string | undefined;
  'no-auth': boolean;
  'no-dashboard': boolean;
}

/** The sign-in the flags ask for, or undefined (after printing why) when they contradict. */
function dashboardLogin(values: ServeValues, io: CliIo): DashboardLogin | undefined {
  if (values['no-auth']) {
    if (values.user !== undefined || values.password !== undefined) {
      io.err('--no-auth and --user/--password contradict each other; give one of them.\n');
      return undefined;
    }
    return false;
  }
  if ((values.user === undefined) !== (values.password === undefined)) {
    io.err('--user and --password go together; give both, or neither for a generated password.\n');
    return undefined;
  }
  return values.user === undefined || values.password === undefined ? 'generate' : { username: values.user, password: values.password };
}

async function demo(values: ServeValues, port: number, io: CliIo): Promise<number> {
  const seconds = values.seconds === undefined ? undefined : Number(values.seconds);
  if (seconds !== undefined && (!Number.isFinite(seconds) || seconds <= 0)) {
    io.err(`--seconds must be a positive number; received "${values.seconds}".\n`);
    return EXIT.usage;
  }
  try {
    await runDemo({
      filename: values.file,
      seconds,
      dashboard: values['no-dashboard'] ? false : { host: values.host, port },
      out: (line) => io.out(`${line}\n`),
    });
    return EXIT.ok;
  } catch (error) {
    io.err(`evertask demo failed: ${(error as Error).message}\n`);
    return EXIT.failed;
  }
}

/** Runs the CLI; resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        postgres: { type: 'string' },
        mysql: { type: 'string' },
        'table-prefix': { type: 'string', default: 'evertask_' },
        schema: { type: 'string', default: 'evertask' },
        from: { type: 'string', default: '0' },
        print: { type: 'boolean', default: false },
        file: { type: 'string', default: 'evertask-demo.db' },
        seconds: { type: 'string' },
        sqlite: { type: 'string' },
        port: { type: 'string', default: '3300' },
        host: { type: 'string', default: '127.0.0.1' },
        user: { type: 'string' },
        password: { type: 'string' },
        'no-auth': { type: 'boolean', default: false },
        'no-dashboard': { type: 'boolean', default: false },
        status: { type: 'string' },
        limit: { type: 'string', default: '20' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return EXIT.ok;
  }
  if (values.version) {
    io.out(`${cliVersion()}\n`);
    return EXIT.ok;
  }
  if (positionals[0] === 'tasks' || positionals[0] === 'queues' || positionals[0] === 'stats') {
    try {
      await runStorageCommand(positionals, { ...values, out: (text) => io.out(text) });
      return EXIT.ok;
    } catch (error) {
      io.err(`evertask ${positionals.slice(0, 2).join(' ')}: ${(error as Error).message}\n`);
      return USAGE_ERRORS.has((error as { code?: string }).code ?? '') ? EXIT.usage : EXIT.failed;
    }
  }
  const command = positionals.length === 1 ? positionals[0] : undefined;
  if (command === 'demo' || command === 'dashboard') {
    const port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65_535) {
      io.err(`--port must be a port number from 0 to 65535 (0 picks a free one); received "${values.port}".\n`);
      return EXIT.usage;
    }
    if (command === 'demo') return demo(values, port, io);
    const login = dashboardLogin(values, io);
    if (login === undefined) return EXIT.usage;
    try {
      await runDashboardCommand({ sqlite: values.sqlite, postgres: values.postgres, schema: values.schema, host: values.host, port, login, out: (line) => io.out(`${line}\n`) });
      return EXIT.ok;
    } catch (error) {
      io.err(`evertask dashboard failed: ${(error as Error).message}\n`);
      return USAGE_ERRORS.has((error as { code?: string }).code ?? '') ? EXIT.usage : EXIT.failed;
    }
  }
  if (positionals.length !== 1 || positionals[0] !== 'migrate') {
    io.err(`${positionals.length === 0 ? 'Missing command.' : `Unknown command "${positionals.join(' ')}".`}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const from = Number(values.from);
  const latest = values.mysql !== undefined ? MYSQL_SCHEMA_VERSION : POSTGRES_SCHEMA_VERSION;
  if (!/^\d+$/.test(values.from) || !Number.isInteger(from) || from > latest) {
    io.err(`--from must be a schema version from 0 to ${latest} (the latest); received "${values.from}".\n`);
    return EXIT.usage;
  }
  if (values.mysql !== undefined) {
    if (values.postgres !== undefined) {
      io.err(`migrate takes one of --postgres or --mysql, not both.\n\n${USAGE}`);
      return EXIT.usage;
    }
    return migrateMySql(values.mysql, values['table-prefix'], from, values.print, io);
  }
  try {
    if (values.print) {
      io.out(postgresMigrationSql(values.schema, from));
      return EXIT.ok;
    }
    if (!values.postgres) {
      io.err(`migrate needs --postgres <url> (or --print to print the SQL).\n\n${USAGE}`);
      return EXIT.usage;
    }
    const storage = new PostgresStorage({ connectionString: values.postgres, schema: values.schema, max: 1, notifications: false });
    try {
      await storage.open();
    } finally {
      await storage.close();
    }
    io.out(`Schema "${values.schema}" is at version ${POSTGRES_SCHEMA_VERSION}.\n`);
    return EXIT.ok;
  } catch (error) {
    io.err(`evertask migrate failed: ${(error as Error).message}\n`);
    return EXIT.failed;
  }
}

/** `evertask migrate --mysql <url>`: prints the script, or applies it as `MySqlStorage.open()` does. */
async function migrateMySql(uri: string, tablePrefix: string, from: number, print: boolean, io: CliIo): Promise<number> {
  try {
    if (print) {
      io.out(mysqlMigrationSql(tablePrefix, from));
      return EXIT.ok;
    }
    const storage = new MySqlStorage({ uri, tablePrefix, connectionLimit: 1, transientRetries: 0 });
    try {
      await storage.open();
    } finally {
      await storage.close();
    }
    io.out(`Tables "${tablePrefix}*" are at version ${MYSQL_SCHEMA_VERSION}.\n`);
    return EXIT.ok;
  } catch (error) {
    io.err(`evertask migrate failed: ${(error as Error).message}\n`);
    return EXIT.failed;
  }
}
