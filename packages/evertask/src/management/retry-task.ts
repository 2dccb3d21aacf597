import { storageCall } from '../storage/storage-call.js';
import { actionAudit, checkTaskId, resolveActor, type ActionOptions } from './action-options.js';
import { notifyAvailable, type ManagementContext } from './management-context.js';

/**
 * `EverTask.retry`: a `failed` task becomes `waiting`, due now, with its attempts back at 0 — a
 * new delivery with the whole retry policy ahead of it. Its error stays in the status history
 * (the `failed` row); the record's `error` is cleared. The one change out of a terminal status,
 * and only on an operator's request (see `state-machine.ts`). False when the task is unknown or
 * not failed.
 */
export async function retryTask(m: ManagementContext, id: string, options: ActionOptions): Promise<boolean> {
  const ctx = m.engine;
  checkTaskId(id, 'retry');
  const actor = resolveActor(options, 'retry');
  const task = await storageCall('get', () => ctx.storage.get(id));
  if (task === undefined || task.status !== 'failed') return false;
  const now = ctx.options.clock.now();
  const applied = await ctx.writer.transition({
    id,
    from: ['failed'],
    to: 'waiting',
    at: now,
    patch: { dueAt: now, attempts: 0, error: null, leaseOwner: null, leaseExpiresAt: null, recoveryFailures: 0 },
    ...actionAudit(task.auditLevel, 'waiting', actor),
  });
  if (!applied) return false;
  if (actor !== null) ctx.options.logger.info(`${actor} retried task ${id} (${task.name}).`, { actor, taskId: id });
  await notifyAvailable(ctx, now, id);
  ctx.claimSoon();
  return true;
}
