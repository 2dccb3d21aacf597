import { allowedSources, isTerminal } from '../state-machine.js';
import { storageCall } from '../storage/storage-call.js';
import { actionAudit, checkTaskId, resolveActor, type ActionOptions } from './action-options.js';
import type { ManagementContext } from './management-context.js';

/**
 * `EverTask.cancel`: a waiting task never runs, a running one has its `ctx.signal` aborted (here,
 * or in the process running it through the storage's notifications). False when there was
 * nothing to cancel (unknown id, or the task already finished).
 */
export async function cancelTask(m: ManagementContext, id: string, options: ActionOptions): Promise<boolean> {
  const ctx = m.engine;
  checkTaskId(id, 'cancel');
  const actor = resolveActor(options, 'cancel');
  const task = await storageCall('get', () => ctx.storage.get(id));
  if (!task || isTerminal(task.status)) return false;
  const now = ctx.options.clock.now();
  const applied = await ctx.writer.transition({
    id,
    from: allowedSources('cancelled'),
    to: 'cancelled',
    at: now,
    patch: { dueAt: null, leaseOwner: null, leaseExpiresAt: null },
    ...actionAudit(task.auditLevel, 'cancelled', actor),
  });
  if (!applied) return false;
  ctx.dueTimes.unschedule(id);
  if (ctx.options.tasks.get(task.name)?.rateLimit !== undefined) await m.releaseRateLimit(id);
  m.dropBuffered((t) => t.id === id);
  const running = m.abortLocal(id, 'cancel');
  if (!running && task.status === 'in-progress' && ctx.storage.notifications !== undefined) {
    await ctx.storage.notifications.notify({ kind: 'task-cancelled', taskId: id }).catch(() => undefined);
  }
  if (actor !== null) ctx.options.logger.info(`${actor} cancelled task ${id} (${task.name}, was ${task.status}).`, { actor, taskId: id });
  ctx.emitter.emit('task:cancelled', { taskId: id, taskName: task.name, queue: task.queue, at: now, running });
  return true;
}
