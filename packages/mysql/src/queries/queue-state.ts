import type { PausedQueue, QueueStateChange } from 'evertask';
import { affectedRows, rowsOf, type QueryContext } from '../connection.js';
import { readers } from '../row-mapping.js';

/** Paused queues: one row per paused queue, which the claim statements leave out (queries/claims.ts). */
export class QueueStateQueries {
  readonly #context: QueryContext;
  readonly #sql: { pause: string; resume: string; list: string };

  constructor(context: QueryContext) {
    this.#context = context;
    const p = context.tables.pausedQueues;
    this.#sql = {
      // a second pause keeps the first row (when and by whom); the queue name is checked before
      // (at most 255 characters), so IGNORE only skips the duplicate key
      pause: `INSERT IGNORE INTO ${p} (queue, paused_at, paused_by) VALUES (?, ?, ?)`,
      resume: `DELETE FROM ${p} WHERE queue = ?`,
      list: `SELECT queue, paused_at, paused_by FROM ${p} ORDER BY queue`,
    };
  }

  /** Pauses or resumes a (checked) queue; returns whether its state changed. */
  async setQueuePaused(queue: string, paused: boolean, change: QueueStateChange): Promise<boolean> {
    const connection = this.#context.connection;
    const result = paused
      ? await connection.run('setQueuePaused', this.#sql.pause, [queue, change.at, change.actor], { idempotent: true })
      : await connection.run('setQueuePaused', this.#sql.resume, [queue], { idempotent: true });
    return affectedRows(result) > 0;
  }

  async pausedQueues(): Promise<PausedQueue[]> {
    return rowsOf(await this.#context.connection.run('pausedQueues', this.#sql.list, [], { idempotent: true })).map(readers.pausedQueue);
  }
}
