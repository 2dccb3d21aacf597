import { TASK_STATUSES, type RetentionPolicy, type RetentionResult } from 'evertask';
import type { QueryContext } from '../connection.js';

/** Tasks per retention script call (keeps each script short, so the server never stalls). */
const BATCH = 500;
/** Length of a status-index member's created key and its ':' (the id follows). */
const ID_OFFSET = 18;

/**
 * Retention: old history rows first, by age (every task's audit and log sets, walked through the
 * status indexes in batches), then the finished one-off tasks past their cutoff, found in the
 * `fin` index (by updatedAt) and deleted with their history, a batch per script. Each row is
 * counted once.
 */
export class RetentionQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  async cleanup(policy: RetentionPolicy): Promise<RetentionResult> {
    const result: RetentionResult = { tasks: 0, audits: 0, logs: 0 };
    if (policy.auditBefore !== undefined || policy.logsBefore !== undefined) await this.#pruneByAge(policy, result);
    const { completedBefore, failedBefore } = policy;
    if (completedBefore === undefined && failedBefore === undefined) return result;
    const later = Math.max(completedBefore ?? -Infinity, failedBefore ?? -Infinity);
    const cutoff = (value: number | undefined): string => (value === undefined ? '' : String(value));
    let offset = 0;
    for (;;) {
      const [tasks, audits, logs, next, more] = await this.#context.connection.script<number[]>('cleanup', 'cleanup', [
        cutoff(completedBefore),
        cutoff(failedBefore),
        String(later),
        String(offset),
        String(BATCH),
      ]);
      result.tasks += tasks ?? 0;
      result.audits += audits ?? 0;
      result.logs += logs ?? 0;
      offset = next ?? 0;
      if (more !== 1) return result;
    }
  }

  async #pruneByAge(policy: RetentionPolicy, result: RetentionResult): Promise<void> {
    const { connection, keys } = this.#context;
    const auditBefore = policy.auditBefore === undefined ? '' : String(policy.auditBefore);
    const logsBefore = policy.logsBefore === undefined ? '' : String(policy.logsBefore);
    const queues = await connection.run('cleanup', (client) => client.smembers(keys.queues));
    for (const queue of queues) {
      for (const status of TASK_STATUSES) {
        const key = keys.status(queue, status);
        for (let start = 0; ; start += BATCH) {
          const members = await connection.run('cleanup', (client) => client.zrange(key, String(start), String(start + BATCH - 1)));
          if (members.length === 0) break;
          const ids = members.map((member) => member.slice(ID_OFFSET));
          const [audits, logs] = await connection.script<number[]>('cleanup', 'prune', [auditBefore, logsBefore, ...ids]);
          result.audits += audits ?? 0;
          result.logs += logs ?? 0;
          if (members.length < BATCH) break;
        }
      }
    }
  }
}
