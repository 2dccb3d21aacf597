import { earliestIndex } from '../../collections/queue-time-index.js';
import type { StoredTask } from '../../ports/task-record.js';
import type { ClaimRequest } from '../../ports/task-storage.js';
import { copyTask } from './task-queries.js';
import type { TaskTable } from './task-table.js';

/**
 * Claims up to `limit` runnable tasks, earliest first: the earliest head among the due indexes
 * and the lease indexes of the selected queues (not `paused`) and task names, until the next one is
 * later than `now`.
 */
export function claimDueTasks(table: TaskTable, request: ClaimRequest, paused: ReadonlySet<string>): StoredTask[] {
  const { owner, now, limit, leaseMs, queues, names } = request;
  const indexes = [...table.due.select(queues, names, paused), ...table.leases.select(queues, names, paused)];
  const claimed: StoredTask[] = [];
  while (claimed.length < limit) {
    const index = earliestIndex(indexes);
    const time = index?.peekTime();
    if (index === undefined || time === undefined || time > now) break;
    const task = table.get(index.peekId() as string) as StoredTask;
    const before = table.snapshot(task);
    task.status = 'queued';
    task.leaseOwner = owner;
    task.leaseExpiresAt = now + leaseMs;
    task.updatedAt = now;
    table.reindex(task, before);
    claimed.push(copyTask(task));
  }
  return claimed;
}

/** Extends the leases `owner` holds (those among `ids` when given) to `now + leaseMs`; returns how many. */
export function renewOwnedLeases(table: TaskTable, owner: string, now: number, leaseMs: number, ids: readonly string[] | undefined): number {
  const owned = table.ownedBy(owner);
  if (owned === undefined) return 0;
  const selected = ids === undefined ? [...owned] : [...new Set(ids)].filter((id) => owned.has(id));
  for (const id of selected) {
    const task = table.get(id) as StoredTask;
    const before = table.snapshot(task);
    task.leaseExpiresAt = now + leaseMs;
    table.reindex(task, before);
  }
  return selected.length;
}

/** The earliest due time or lease expiry among the selected queues (not `paused`) and task names. */
export function nextDueTime(
  table: TaskTable,
  queues: readonly string[] | undefined,
  names: readonly string[] | undefined,
  paused: ReadonlySet<string>,
): number | undefined {
  return earliestIndex([...table.due.select(queues, names, paused), ...table.leases.select(queues, names, paused)])?.peekTime();
}
