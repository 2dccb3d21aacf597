import { afterEach, describe, expect, it } from 'vitest';
import { defineTask, EverTask, silentLogger, StorageError, type Logger, type TaskStorage } from 'evertask';
import { waitFor } from './wait-for.js';

/** The ways a task row is corrupted by hand (an UPDATE outside EverTask). */
export type RowCorruption = 'invalid-json-payload' | 'unknown-task-name' | 'impossible-status' | 'wrong-type';

/** How an adapter's test corrupts its own tables. */
export interface CorruptionTarget {
  /** A new, unopened storage on the test's tables (each call may return a fresh one). */
  storage(): TaskStorage;
  /** Corrupts the row of task `id` with a direct UPDATE on the table. */
  corrupt(id: string, kind: RowCorruption): Promise<void>;
  /** Records a schema version newer than this package's latest in the migrations table. */
  recordNewerSchema(): Promise<void>;
  /** Removes what `recordNewerSchema` added. */
  forgetNewerSchema(): Promise<void>;
}

const work = defineTask({ name: 'corruption-work', handler: async (_payload: { n: number }) => undefined });

function capturingLogger(lines: string[]): Logger {
  const keep = (message: string) => void lines.push(message);
  return { ...silentLogger, error: keep, warn: keep };
}

/**
 * For every kind of hand-corrupted row: the engine reports it clearly (a failed task with its
 * reason, or a StorageError naming the task and the column) and keeps serving — the other tasks,
 * dispatched before and after the corruption, complete. A newer schema version refuses to open.
 */
export function describeCorruptedRows(label: string, target: () => CorruptionTarget): void {
  describe(`${label}: rows corrupted by hand`, () => {
    const engines: EverTask[] = [];
    afterEach(async () => {
      for (const engine of engines.splice(0)) await engine.stop({ timeout: 1000, closeStorage: true });
    });

    async function scenario(kind: RowCorruption) {
      const lines: string[] = [];
      const engine = new EverTask({ storage: target().storage(), tasks: [work], logger: capturingLogger(lines), sweepInterval: '100ms', poisonAttempts: 1 });
      engines.push(engine);
      await engine.start();
      const bad = await engine.dispatch(work, { n: 0 }, { delay: '1h' });
      const before = [await engine.dispatch(work, { n: 1 }, { delay: '1h' }), await engine.dispatch(work, { n: 2 }, { delay: '1h' })];
      await target().corrupt(bad, kind);
      // the corrupted row is made due with the others (for an unreadable row the action may be refused)
      for (const id of before) await engine.runNow(id);
      await engine.runNow(bad).catch(() => false);
      const after = await engine.dispatch(work, { n: 3 });
      const good = [...before, after];
      await waitFor(async () => (await Promise.all(good.map((id) => engine.getTask(id)))).every((t) => t?.status === 'completed'), 15_000, 'the healthy tasks to complete');
      return { engine, bad, lines };
    }

    it('an invalid JSON payload fails that task with the reason; the others complete', async () => {
      const { engine, bad, lines } = await scenario('invalid-json-payload');
      await waitFor(async () => (await engine.getTask(bad))?.status === 'failed', 15_000, 'the corrupted task to fail');
      const task = await engine.getTask(bad);
      expect(task?.error).toMatch(/cannot be run/);
      expect(task?.error).toContain(bad);
      expect(lines.some((line) => line.includes(bad) && line.includes('cannot be run'))).toBe(true);
    });

    it('an unknown task name is left for an instance that knows it; the others complete', async () => {
      const { engine, bad } = await scenario('unknown-task-name');
      const task = await engine.getTask(bad);
      expect(task?.name).toBe('renamed-by-hand');
      expect(task?.status).toBe('waiting');
    });

    for (const kind of ['impossible-status', 'wrong-type'] as const) {
      it(`${kind}: reading the row is a StorageError naming the task; the others complete`, async () => {
        const { engine, bad } = await scenario(kind);
        const error = await engine.getTask(bad).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(StorageError);
        expect((error as Error).message).toContain(bad);
        expect((error as StorageError).transient).toBe(false);
      });
    }

    it('a newer schema version in the migrations table refuses to open, naming the version', async () => {
      const first = target().storage();
      await first.open();
      await first.close();
      await target().recordNewerSchema();
      try {
        const storage = target().storage();
        const error = await storage.open().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(StorageError);
        expect((error as Error).message).toMatch(/999/);
        expect((error as Error).message).toMatch(/newer/);
        await storage.close().catch(() => undefined);
      } finally {
        await target().forgetNewerSchema();
      }
    });
  });
}
