import type { ActionOptions } from './action-options.js';
import type { ManagementContext } from './management-context.js';
import { makeDue } from './make-due.js';

/**
 * `EverTask.runNow`: a `waiting` task (delayed, scheduled, awaiting a retry, or a recurring
 * series between runs) becomes due now and is claimed by whichever engine has room. For a
 * recurring series the planned occurrence runs now instead of at its time; the series then goes
 * on from its schedule (the next run is the occurrence after the planned one). False when the
 * task is unknown or not waiting.
 */
export function runTaskNow(m: ManagementContext, id: string, options: ActionOptions): Promise<boolean> {
  return makeDue(m, id, options, {
    action: 'runNow',
    from: 'waiting',
    patch: {},
    describe: (actor, taskId, name) => `${actor} made task ${taskId} (${name}) due now.`,
  });
}
