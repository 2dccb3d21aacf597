import type { EngineContext } from '../engine-context.js';
import type { StoredTask } from '../ports/task-record.js';

/** What the management actions need of the engine beyond its shared context. Internal. */
export interface ManagementContext {
  readonly engine: EngineContext;
  /** Aborts a task running in this process; returns whether one was. */
  abortLocal(id: string, reason: 'cancel'): boolean;
  /** Gives back the rate-limit reservation of a task (in the storage's shared budgets when it has them); never rejects. */
  releaseRateLimit(id: string): Promise<void>;
  /** Returns a claimed task that will not run here to the storage, due as before. */
  handBack(task: StoredTask, now: number): Promise<boolean>;
  /** Takes the tasks matching `predicate` out of this process's queue buffers (not the running ones). */
  dropBuffered(predicate: (task: StoredTask) => boolean): StoredTask[];
}

/** Tells the other engines sharing the storage that work may be due (best effort: they also sweep). */
export async function notifyAvailable(ctx: EngineContext, dueAt: number, taskId?: string): Promise<void> {
  const channel = ctx.storage.notifications;
  if (channel === undefined) return;
  await channel.notify({ kind: 'task-available', dueAt, ...(taskId === undefined ? {} : { taskId }) }).catch(() => undefined);
}
