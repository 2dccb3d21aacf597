import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { defineTask, EverTask, type Logger, type TaskStorage } from 'evertask';
import { waitFor } from './wait-for.js';

/** The password put in every connection string of these tests; it must never be printed. */
export const SECRET = 'S3cr3t-Pa55word-9f1c';

/** A logger that keeps every message and its metadata, rendered deeply (errors, causes, stacks). */
function recordingLogger(out: string[]): Logger {
  const keep = (message: string, meta?: unknown) => void out.push(`${message} ${inspect(meta, { depth: 8 })}`);
  return { debug: keep, info: keep, warn: keep, error: keep };
}

export interface SecretsTarget {
  /** A storage on `url`. */
  storage(url: string): TaskStorage;
  /** A URL with `SECRET` as the password that connects (the server ignores or accepts it), or undefined. */
  workingUrl?: string;
  /** URLs with `SECRET` as the password that fail: a closed port, a refused login, … */
  failingUrls: string[];
}

const job = defineTask({ name: 'secret-job', handler: async () => undefined });

/**
 * Connection strings with a password are never printed: not by the engine's logger while it runs,
 * not in the errors (and their causes) of a failed connection, not in the storage's `inspect()`.
 */
export function describeSecretsNotLogged(label: string, target: () => SecretsTarget): void {
  describe(`${label}: secrets never logged`, () => {
    it('a failing connection: the error, its causes and the log hold no password', async () => {
      for (const url of target().failingUrls) {
        const lines: string[] = [];
        const storage = target().storage(url);
        expect(inspect(storage, { depth: 8 }), 'inspect(storage)').not.toContain(SECRET);
        const engine = new EverTask({ storage, tasks: [job], logger: recordingLogger(lines) });
        const error = await engine.start().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, url.replace(SECRET, '***')).toBeInstanceOf(Error);
        lines.push(inspect(error, { depth: 8 }), String(error));
        await engine.stop({ timeout: 100 }).catch(() => undefined);
        await storage.close().catch(() => undefined);
        for (const line of lines) expect(line).not.toContain(SECRET);
      }
    });

    it('a working connection: nothing logged while tasks run holds the password', async () => {
      const url = target().workingUrl;
      if (url === undefined) return;
      const lines: string[] = [];
      const storage = target().storage(url);
      const engine = new EverTask({ storage, tasks: [job], logger: recordingLogger(lines), defaults: { logs: { enabled: true } } });
      await engine.start();
      try {
        const id = await engine.dispatch(job, null);
        await waitFor(async () => (await engine.getTask(id))?.status === 'completed', 15_000, 'the task to complete');
        lines.push(inspect(storage, { depth: 8 }), JSON.stringify(engine.configuration()));
      } finally {
        await engine.stop({ timeout: 1000, closeStorage: true });
      }
      for (const line of lines) expect(line).not.toContain(SECRET);
    });
  });
}
