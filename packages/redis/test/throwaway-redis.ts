import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, vi } from 'vitest';
import { adminClient } from './redis-test-helpers.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/**
 * A redis-server of the test's own, on a free port with its own directory (never the machine's
 * shared server), started and killed by the test; `args` adds settings (AOF, policies…).
 */
export class ThrowawayRedis {
  readonly dir = mkdtempSync(join(tmpdir(), 'evertask-redis-aof-'));
  port = 0;
  readonly #args: readonly string[];
  #child: ChildProcess | undefined;

  constructor(args: readonly string[] = []) {
    this.#args = args;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', ...this.#args];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.#child = child;
    const client = adminClient(this.url);
    try {
      await vi.waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
          if (client.status !== 'ready') await client.connect().catch(() => undefined);
          expect(await client.ping()).toBe('PONG');
        },
        { timeout: 10_000, interval: 50 },
      );
    } finally {
      client.disconnect();
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

  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
