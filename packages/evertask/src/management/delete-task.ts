import { isTerminal, TERMINAL_STATUSES } from '../state-machine.js';
import { storageCall } from '../storage/storage-call.js';
import { checkTaskId, resolveActor, type ActionOptions } from './action-options.js';
import type { ManagementContext } from './management-context.js';

/**
 * `EverTask.deleteTask`: removes a finished (`completed`, `failed` or `cancelled`) task with its
 * history and logs. The history goes with it, so the deletion is recorded in the engine log
 * (info, with the actor). False when the task is unknown or not finished (the removal is guarded
 * by the status in the storage, so a task retried by another process meanwhile stays).
 */
export async function deleteTask(m: ManagementContext, id: string, options: ActionOptions): Promise<boolean> {
  const ctx = m.engine;
  checkTaskId(id, 'deleteTask');
  const actor = resolveActor(options, 'deleteTask');
  const task = await storageCall('get', () => ctx.storage.get(id));
  if (task === undefined || !isTerminal(task.status)) return false;
  // guarded in the storage too: a task retried elsewhere since the read stays
  const removed = await storageCall('remove', () => ctx.storage.remove(id, TERMINAL_STATUSES));
  if (removed) {
    ctx.options.logger.info(`${actor ?? 'The application'} deleted task ${id} (${task.name}, ${task.status}).`, { actor, taskId: id });
  }
  return removed;
}
