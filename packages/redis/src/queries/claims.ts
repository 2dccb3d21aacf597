import type { ClaimRequest, StoredTask } from 'evertask';
import type { QueryContext } from '../connection.js';
import { readTaskColumns } from '../row-mapping.js';

/** A list filter as script arguments: `-1` for none (everything), else its count and its items. */
function listArguments(list: readonly string[] | undefined): string[] {
  return list === undefined ? ['-1'] : [String(list.length), ...list];
}

/**
 * Work distribution: one script per claim (due tasks and lapsed leases of the selected queues,
 * earliest first, leased to the owner), one per renewal, one read for the next due time.
 */
export class ClaimQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  async claimDue(request: ClaimRequest): Promise<StoredTask[]> {
    const { owner, now, limit, leaseMs, queues, names } = request;
    const expiry = String(now + leaseMs);
    const args = [owner, String(now), expiry, String(limit), ...listArguments(queues), ...listArguments(names)];
    const claimed = JSON.parse(await this.#context.connection.script<string>('claimDue', 'claim', args)) as (string | false)[][];
    const written = { status: 'queued', lease_owner: owner, lease_expires_at: expiry, updated_at: String(now) };
    return claimed.map((values) => readTaskColumns(values, written));
  }

  async renewLeases(owner: string, now: number, leaseMs: number, ids?: readonly string[]): Promise<number> {
    return this.#context.connection.script<number>('renewLeases', 'renew', [owner, String(now + leaseMs), ...listArguments(ids)]);
  }

  async nextDueAt(queues?: readonly string[], names?: readonly string[]): Promise<number | undefined> {
    const reply = await this.#context.connection.script<string | null>('nextDueAt', 'next-due', [...listArguments(queues), ...listArguments(names)]);
    return reply === null ? undefined : Number(reply);
  }
}
