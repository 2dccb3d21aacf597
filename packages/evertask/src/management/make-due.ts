import type { TaskPatch, TaskStatus } from '../ports/task-record.js';
import { storageCall } from '../storage/storage-call.js';
import { actionAudit, checkTaskId, resolveActor, type ActionOptions } from './action-options.js';
import { notifyAvailable, type ManagementContext } from './management-context.js';

/** What one "make it due now" action changes. */
export interface MakeDue {
  /** The method's name, for messages. */
  action: string;
  /** The status the task must be in. */
  from: TaskStatus;
  /** The fields to set besides `dueAt` (now). */
  patch: TaskPatch;
  /** The engine-log line of a change an actor asked for. */
  describe: (actor: string, id: string, name: string) => string;
}

/**
 * Makes a task in status `from` `waiting` and due now (with `patch`), recorded with the actor,
 * then wakes this engine and the others sharing the storage. False when the task is unknown or
 * in another status. `runNow` and `retry` are this with their own `from` and patch.
 */
export async function makeDue(m: ManagementContext, id: string, options: ActionOptions, change: MakeDue): Promise<boolean> {
  const ctx = m.engine;
  checkTaskId(id, change.action);
  const actor = resolveActor(options, change.action);
  const task = await storageCall('get', () => ctx.storage.get(id));
  if (task === undefined || task.status !== change.from) return false;
  const now = ctx.options.clock.now();
  const applied = await ctx.writer.transition({
    id,
    from: [change.from],
    to: 'waiting',
    at: now,
    patch: { ...change.patch, dueAt: now },
    ...actionAudit(task.auditLevel, 'waiting', actor),
  });
  if (!applied) return false;
  ctx.dueTimes.unschedule(id);
  if (actor !== null) ctx.options.logger.info(change.describe(actor, id, task.name), { actor, taskId: id });
  await notifyAvailable(ctx, now, id);
  ctx.claims.claimSoon();
  return true;
}
