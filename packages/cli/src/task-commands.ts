/**
 * `evertask tasks list|show|cancel|retry`, `queues pause|resume`, `stats` over a storage
 * (`--sqlite <file>` or `--postgres <url>`). Each command is one call of the monitor's REST API,
 * answered in-process (no server, no port): the same validation, actions and JSON shapes as the
 * monitor. The engine built for it is never started, so it claims and runs nothing.
 */
import { EverTask, silentLogger, type TaskStorage } from 'evertask';
import { SqliteStorage } from '@evertask/sqlite';
import { PostgresStorage } from '@evertask/postgres';
import { createMonitor, type ApiErrorBody, type TaskDetail, type TaskListItem, type TasksPage, type TaskCounts } from '@evertask/monitor';

// actions on an open monitor still need its CSRF header (any value)
const CSRF_HEADER = 'X-EverTask-CSRF';

/** A bad flag or argument: exit code 2. */
export class CliArgumentError extends Error {
  readonly code = 'ERR_CLI_ARGUMENT';
}

/** The API answered an error (unknown task, nothing to cancel, …): exit code 1. */
export class CliCommandError extends Error {
  readonly code = 'ERR_CLI_COMMAND';
}

export interface StorageCommandOptions {
  sqlite?: string | undefined;
  postgres?: string | undefined;
  /** PostgreSQL schema. @defaultValue 'evertask' */
  schema: string;
  /** Print the API's JSON instead of text. @defaultValue false */
  json: boolean;
  /** `tasks list`: only these statuses (comma-separated). @defaultValue all */
  status?: string | undefined;
  /** `tasks list`: how many, newest first. @defaultValue 20 */
  limit: string;
  out: (text: string) => void;
}

interface Call {
  method: 'GET' | 'POST';
  path: string;
  render: (body: unknown) => string;
}

function requireArgument(value: string | undefined, what: string, usage: string): string {
  if (value === undefined || value === '') throw new CliArgumentError(`${usage} needs ${what}.`);
  return value;
}

function listLine(t: TaskListItem): string {
  return [t.id, t.status.padEnd(11), t.queue.padEnd(10), t.name, `attempts ${t.attempts}`].join('  ');
}

function callFor(words: readonly string[], o: StorageCommandOptions): Call {
  const [group, verb, target] = words;
  if (group === 'tasks' && verb === 'list') {
    if (!/^\d+$/.test(o.limit) || Number(o.limit) < 1) throw new CliArgumentError(`--limit must be a whole number of 1 or more; received "${o.limit}".`);
    const query = new URLSearchParams({ pageSize: o.limit, sortBy: 'createdAt', sortDescending: 'true' });
    if (o.status !== undefined) query.set('statuses', o.status);
    return {
      method: 'GET',
      path: `/api/tasks?${query}`,
      render: (body) => {
        const page = body as TasksPage;
        return `${page.items.map(listLine).join('\n')}${page.items.length > 0 ? '\n' : ''}${page.items.length} of ${page.totalCount} tasks\n`;
      },
    };
  }
  if (group === 'tasks' && (verb === 'show' || verb === 'cancel' || verb === 'retry')) {
    const id = encodeURIComponent(requireArgument(target, 'a task id', `tasks ${verb}`));
    if (verb === 'show') {
      return {
        method: 'GET',
        path: `/api/tasks/${id}`,
        render: (body) => {
          const t = body as TaskDetail;
          const lines = [`${t.id}  ${t.name}`, `status    ${t.status}`, `queue     ${t.queue}`, `attempts  ${t.attempts}`, `created   ${t.createdAt}`, `payload   ${JSON.stringify(t.payload)}`];
          if (t.error !== null) lines.push(`error     ${t.error.split('\n', 1)[0]}`);
          return `${lines.join('\n')}\n`;
        },
      };
    }
    return { method: 'POST', path: `/api/tasks/${id}/${verb}`, render: () => `${verb === 'cancel' ? 'Cancelled' : 'Retrying'} task ${decodeURIComponent(id)}\n` };
  }
  if (group === 'queues' && (verb === 'pause' || verb === 'resume')) {
    const name = requireArgument(target, 'a queue name', `queues ${verb}`);
    return { method: 'POST', path: `/api/queues/${encodeURIComponent(name)}/${verb}`, render: () => `Queue ${name} ${verb === 'pause' ? 'paused' : 'resumed'}\n` };
  }
  if (group === 'stats' && verb === undefined) {
    return {
      method: 'GET',
      path: '/api/tasks/counts',
      render: (body) => {
        const c = body as TaskCounts;
        return `tasks ${c.all}  standard ${c.standard}  recurring ${c.recurring}  failed ${c.failed}\n`;
      },
    };
  }
  throw new CliArgumentError(`Unknown command "${words.join(' ')}"; see evertask --help.`);
}

function openStorage(o: StorageCommandOptions): TaskStorage {
  if ((o.sqlite === undefined) === (o.postgres === undefined)) throw new CliArgumentError('This command needs exactly one storage: --sqlite <file> or --postgres <url>.');
  if (o.sqlite !== undefined) return new SqliteStorage({ filename: o.sqlite });
  return new PostgresStorage({ connectionString: o.postgres as string, schema: o.schema, max: 1, notifications: false });
}

/** Runs one storage command; throws CliArgumentError (exit 2) or CliCommandError (exit 1). */
export async function runStorageCommand(words: readonly string[], o: StorageCommandOptions): Promise<void> {
  const call = callFor(words, o); // usage errors before touching the storage
  const storage = openStorage(o);
  await storage.open();
  const everTask = new EverTask({ storage, tasks: [], logger: silentLogger });
  const monitor = createMonitor({ everTask, auth: false, logger: silentLogger });
  try {
    const answer = await monitor.fetch(new Request(`http://evertask.cli${call.path}`, { method: call.method, headers: { [CSRF_HEADER]: 'evertask-cli' } }));
    const body: unknown = await answer.json();
    if (!answer.ok) {
      const message = (body as ApiErrorBody).error.message;
      if (answer.status === 400) throw new CliArgumentError(message);
      throw new CliCommandError(message);
    }
    o.out(o.json ? `${JSON.stringify(body, null, 2)}\n` : call.render(body));
  } finally {
    monitor.close();
    await storage.close();
  }
}
