/**
 * A PostgreSQL cluster of a test's own: `initdb` in a temporary folder and `pg_ctl` on a free port of
 * 127.0.0.1, never the machine's shared server; crashed (`pg_ctl stop -m immediate`, no checkpoint)
 * and started again on the same data by `restart`. PostgreSQL refuses to run as root, so as root
 * the binaries run as the `postgres` OS user (`runuser`), which owns the folder.
 */
import { execFile } from 'node:child_process';
import { chownSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ThrowawayServer, freePort } from '../../../evertask/test/support/throwaway-server.js';

const run = promisify(execFile);

async function binDir(): Promise<string> {
  const { stdout } = await run('pg_config', ['--bindir']);
  return stdout.trim();
}

export class ThrowawayPostgres extends ThrowawayServer {
  #bin = '';
  readonly #asRoot = userInfo().uid === 0;

  constructor() {
    super('evertask-pg-');
  }

  /** The URL of its `postgres` database (trust authentication). */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async #pg(tool: string, args: string[]): Promise<void> {
    const command = join(this.#bin, tool);
    try {
      if (this.#asRoot) await run('runuser', ['-u', 'postgres', '--', command, ...args]);
      else await run(command, args);
    } catch (error) {
      const { stderr } = error as { stderr?: string };
      throw new Error(`${tool} ${args.join(' ')} failed: ${stderr ?? (error as Error).message}`, { cause: error });
    }
  }

  /** Creates the cluster (first call) and starts the server; resolves once it accepts connections. */
  async start(): Promise<void> {
    if (this.port === 0) {
      this.#bin = await binDir();
      this.port = await freePort();
      if (this.#asRoot) {
        const { stdout } = await run('id', ['-u', 'postgres']);
        const uid = Number(stdout.trim());
        chownSync(this.dir, uid, uid);
      }
      await this.#pg('initdb', ['-D', join(this.dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
    }
    const settings = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
    await this.#pg('pg_ctl', ['-D', join(this.dir, 'data'), '-o', settings, '-l', join(this.dir, 'server.log'), '-w', '-t', '60', 'start']);
  }

  /** A crash: immediate shutdown (no checkpoint, recovery from the WAL at the next start). */
  async kill(): Promise<void> {
    if (this.port === 0) return;
    await this.#pg('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
  }
}
