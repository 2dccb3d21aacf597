import type { PausedQueue, QueueStateChange } from 'evertask';
import { readers } from '../row-mapping.js';
import type { QueryContext } from './context.js';

/** Paused queues: one row per paused queue, which the claim statements leave out (queries/claims.ts). */
export class QueueStateQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  /** Pauses or resumes a (checked) queue; returns whether its state changed. A second pause keeps the first row (when and by whom). */
  async setQueuePaused(queue: string, paused: boolean, change: QueueStateChange): Promise<boolean> {
    const { connection, tables } = this.#context;
    return connection.run(
      'setQueuePaused',
      async (db) => {
        if (!paused) return (await db.deleteFrom(tables.pausedQueues).where('queue', '=', queue).executeTakeFirst()).numDeletedRows > 0n;
        const insert = db.insertInto(tables.pausedQueues).values({ queue, paused_at: change.at, paused_by: change.actor });
        const result = await connection.dialect.insertIgnoringConflict(insert, ['queue']).executeTakeFirst();
        return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
      },
      { idempotent: true },
    );
  }

  async pausedQueues(): Promise<PausedQueue[]> {
    const rows = await this.#context.connection.run(
      'pausedQueues',
      (db) => db.selectFrom(this.#context.tables.pausedQueues).select(['queue', 'paused_at', 'paused_by']).orderBy('queue').execute(),
      { idempotent: true },
    );
    return rows.map(readers.pausedQueue);
  }
}
