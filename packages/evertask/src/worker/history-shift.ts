import type { StoredTask } from '../ports/task-record.js';

/**
 * How far ahead of this process's clock a run of `task` must write its history, ms: a task's
 * status history reads in time order, so a run must not be stamped before the task's creation or
 * its previous attempt's end, which another process — whose clock may be ahead of this one's —
 * wrote. 0 when the clocks agree (or this one is ahead). Capped at the lease: a clock further off
 * breaks leases anyway, and a stored time far in the future (a corrupt row) must not push the
 * task's retries and leases out with it.
 */
export function historyShift(task: StoredTask, now: number, leaseMs: number): number {
  const latest = Math.max(task.createdAt, task.lastExecutionAt ?? Number.NEGATIVE_INFINITY);
  return Math.min(leaseMs, Math.max(0, latest - now));
}
