/**
 * What the throwaway database servers of the tests share (Redis, PostgreSQL, MariaDB): a temporary
 * folder and a free port of 127.0.0.1 of their own — never the machine's shared servers — a crash
 * and restart on the same data, and removal.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A TCP port of 127.0.0.1 that nothing listens on at the time of the call. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** SIGKILLs a child process (a crash) and waits for its exit; nothing when it already exited. */
export async function killChild(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

export abstract class ThrowawayServer {
  /** The server's own folder (data, socket, logs). */
  readonly dir: string;
  /** Its port, chosen at the first `start`. */
  port = 0;

  constructor(label: string) {
    this.dir = mkdtempSync(join(tmpdir(), label));
  }

  /** The URL to connect to it. */
  abstract get url(): string;
  /** Starts the server (on the same port and data after a `kill`) and waits until it answers. */
  abstract start(): Promise<void>;
  /** A crash: the server stops at once, without a clean shutdown. */
  abstract kill(): Promise<void>;

  /** Crashes the server and starts it again on the same data. */
  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  /** Kills the server and deletes its folder. */
  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
