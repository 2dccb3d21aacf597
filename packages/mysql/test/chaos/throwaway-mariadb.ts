/**
 * A MariaDB server of a test's own: `mariadb-install-db` into a temporary folder and `mariadbd` on
 * a free port of 127.0.0.1 with its own socket (root without a password, no option files read),
 * never the machine's shared server; crashed with SIGKILL and started again on the same data by
 * `restart` (InnoDB recovers from its redo log).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { ThrowawayServer, freePort, killChild } from '../../../evertask/test/support/throwaway-server.js';

const run = promisify(execFile);

export class ThrowawayMariaDb extends ThrowawayServer {
  #child: ChildProcess | undefined;

  constructor() {
    super('evertask-mariadb-');
  }

  /** The URL of its `test` database. */
  get url(): string {
    return `mysql://root@127.0.0.1:${this.port}/test`;
  }

  #user(): string[] {
    return [`--user=${userInfo().username}`];
  }

  /** Creates the data folder (first call), starts the server and waits until it answers. */
  async start(): Promise<void> {
    const data = join(this.dir, 'data');
    if (this.port === 0) {
      this.port = await freePort();
      try {
        await run('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...this.#user()]);
      } catch (error) {
        throw new Error(`mariadb-install-db failed (is MariaDB installed?): ${(error as { stderr?: string }).stderr ?? (error as Error).message}`, { cause: error });
      }
    }
    const args = [
      '--no-defaults',
      `--datadir=${data}`,
      `--port=${this.port}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(this.dir, 'mysqld.sock')}`,
      `--pid-file=${join(this.dir, 'mysqld.pid')}`,
      '--innodb-buffer-pool-size=64M',
      '--max-connections=300',
      '--skip-log-bin',
      ...this.#user(),
    ];
    const child = spawn('mariadbd', args, { stdio: 'ignore' });
    this.#child = child;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`mariadbd exited with ${child.exitCode} (see ${data}/*.err)`);
      try {
        const connection = await mysql.createConnection({ host: '127.0.0.1', port: this.port, user: 'root', connectTimeout: 1000 });
        await connection.query('CREATE DATABASE IF NOT EXISTS test CHARACTER SET utf8mb4 COLLATE utf8mb4_bin');
        await connection.end();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      await sleep(100);
    }
  }

  /** A crash: SIGKILL. */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    await killChild(child);
  }
}
