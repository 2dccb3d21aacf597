/**
 * A redis-server of a test's (or a bench run's) own, on a free port of 127.0.0.1 with its own
 * directory, never the machine's shared server; started and killed by its owner. `args` adds
 * settings (`--appendonly yes`, a policy…); without them it persists nothing (`--save ""`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from '../../evertask/test/support/free-port.js';

export class ThrowawayRedis {
  readonly dir = mkdtempSync(join(tmpdir(), 'evertask-redis-'));
  port = 0;
  readonly #args: readonly string[];
  #child: ChildProcess | undefined;

  constructor(args: readonly string[] = []) {
    this.#args = args;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (on the same port and files as before, after a `kill`) and waits until it answers. */
  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', ...this.#args];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.#child = child;
    const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    const deadline = Date.now() + 10_000;
    try {
      for (;;) {
        if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} (is redis-server on the PATH?)`);
        try {
          if (probe.status !== 'ready') await probe.connect();
          if ((await probe.ping()) === 'PONG') return;
        } catch (error) {
          if (Date.now() > deadline) throw error;
        }
        await sleep(25);
      }
    } finally {
      probe.disconnect();
    }
  }

  /** A crash: SIGKILL, no shutdown save. */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Kills the server and deletes its directory. */
  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
