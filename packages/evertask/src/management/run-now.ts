import { storageCall } from '../storage/storage-call.js';
import { actionAudit, checkTaskId, resolveActor, type ActionOptions } from './action-options.js';
import { notifyAvailable, type ManagementContext } from './management-context.js';

/**
 * `EverTask.runNow`: a `waiting` task (delayed, scheduled, awaiting a retry, or a recurring
 * series between runs) becomes due now and is claimed by whichever engine has room. False when
 * the task is unknown or not waiting.
 */
export async function runTaskNow(m: ManagementContext, id: string, options: ActionOptions): Promise<boolean> {
  const ctx = m.engine;
  checkTaskId(id, 'runNow');
  const actor = resolveActor(options, 'runNow');
  const task = await storageCall('get', () => ctx.storage.get(id));
  if (task === undefined || task.status !== 'waiting') return false;
  const now = ctx.options.clock.now();
  const applied = await ctx.writer.transition({
    id,
    from: ['waiting'],
    to: 'waiting',
    at: now,
    patch: { dueAt: now },
    ...actionAudit(task.auditLevel, 'waiting', actor),
  });
  if (!applied) return false;
  ctx.scheduler.unschedule(id);
  if (actor !== null) ctx.options.logger.info(`${actor} made task ${id} (${task.name}) due now.`, { actor, taskId: id });
  await notifyAvailable(ctx, now, id);
  ctx.claimSoon();
  return true;
}
