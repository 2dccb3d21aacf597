import type { PausedQueue, QueueStateChange } from 'evertask';
import type { QueryContext } from '../connection.js';
import { readers } from '../row-mapping.js';

/** Paused queues: one row per paused queue, which the claim statements leave out (queries/claims.ts). */
export class QueueStateQueries {
  readonly #context: QueryContext;
  readonly #sql: { pause: string; resume: string; list: string };

  constructor(context: QueryContext) {
    this.#context = context;
    const s = context.quotedSchema;
    this.#sql = {
      // a second pause keeps the first row (when and by whom)
      pause: `INSERT INTO ${s}.paused_queues (queue, paused_at, paused_by) VALUES ($1::text, $2::int8, $3::text) ON CONFLICT (queue) DO NOTHING`,
      resume: `DELETE FROM ${s}.paused_queues WHERE queue = $1::text`,
      list: `SELECT queue, paused_at, paused_by FROM ${s}.paused_queues ORDER BY queue COLLATE "C"`,
    };
  }

  /** Pauses or resumes a (checked) queue; returns whether its state changed. */
  async setQueuePaused(queue: string, paused: boolean, change: QueueStateChange): Promise<boolean> {
    const connection = this.#context.connection;
    const config = paused
      ? connection.statement('pause_queue', this.#sql.pause, [queue, change.at, change.actor])
      : connection.statement('resume_queue', this.#sql.resume, [queue]);
    const res = await connection.run('setQueuePaused', config);
    return (res.rowCount ?? 0) > 0;
  }

  async pausedQueues(): Promise<PausedQueue[]> {
    const connection = this.#context.connection;
    const res = await connection.run('pausedQueues', connection.statement('paused_queues', this.#sql.list, []));
    return res.rows.map(readers.pausedQueue);
  }
}
