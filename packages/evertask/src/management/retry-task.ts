import type { ActionOptions } from './action-options.js';
import type { ManagementContext } from './management-context.js';
import { makeDue } from './make-due.js';

/**
 * `EverTask.retry`: a `failed` task becomes `waiting`, due now, with its attempts back at 0 — a
 * new delivery with the whole retry policy ahead of it. Its error stays in the status history
 * (the `failed` row); the record's `error` is cleared. The one change out of a terminal status,
 * and only on an operator's request (see `state-machine.ts`). False when the task is unknown or
 * not failed.
 */
export function retryTask(m: ManagementContext, id: string, options: ActionOptions): Promise<boolean> {
  return makeDue(m, id, options, {
    action: 'retry',
    from: 'failed',
    patch: { attempts: 0, error: null, leaseOwner: null, leaseExpiresAt: null, recoveryFailures: 0 },
    describe: (actor, taskId, name) => `${actor} retried task ${taskId} (${name}).`,
  });
}
