import { StorageError, type PausedQueue, type QueueStateChange } from 'evertask';
import type { QueryContext } from '../connection.js';
import { readers } from '../row-mapping.js';

/**
 * Paused queues: the hash `{<prefix>}:paused` of queue → `[pausedAt, pausedBy]` (JSON), which the
 * claim and next-due scripts read in the same script as the rest of their work (scripts/lib.lua,
 * `read_filters`), so a pause takes effect atomically for every engine.
 */
export class QueueStateQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  /** Pauses (HSETNX: a second pause keeps the first record) or resumes (HDEL) a checked queue; whether its state changed. */
  async setQueuePaused(queue: string, paused: boolean, change: QueueStateChange): Promise<boolean> {
    const { connection, keys } = this.#context;
    const changed = await connection.run('setQueuePaused', (client) =>
      paused ? client.hsetnx(keys.pausedQueues, queue, JSON.stringify([String(change.at), change.actor])) : client.hdel(keys.pausedQueues, queue),
    );
    return changed > 0;
  }

  async pausedQueues(): Promise<PausedQueue[]> {
    const { connection, keys } = this.#context;
    const hash = await connection.run('pausedQueues', (client) => client.hgetall(keys.pausedQueues));
    return Object.keys(hash)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((queue) => {
        let value: unknown;
        try {
          value = JSON.parse(hash[queue] as string);
        } catch (error) {
          throw new StorageError(`RedisStorage read a malformed paused-queue record of "${queue}" in "${keys.pausedQueues}": not JSON. Delete the field.`, { cause: error });
        }
        const [pausedAt, pausedBy] = Array.isArray(value) ? value : [];
        return readers.pausedQueue({ queue, paused_at: pausedAt, paused_by: pausedBy ?? null });
      });
  }
}
