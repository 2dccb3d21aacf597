/**
 * A redis-server of a test's (or a bench run's) own, on a free port of 127.0.0.1 with its own
 * directory, never the machine's shared server; started and killed by its owner. `args` adds
 * settings (`--appendonly yes`, a policy…); without them it persists nothing (`--save ""`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { ThrowawayServer, freePort, killChild } from '../../evertask/test/support/throwaway-server.js';

export class ThrowawayRedis extends ThrowawayServer {
  readonly #args: readonly string[];
  #child: ChildProcess | undefined;

  constructor(args: readonly string[] = []) {
    super('evertask-redis-');
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
    await killChild(child);
  }
}
