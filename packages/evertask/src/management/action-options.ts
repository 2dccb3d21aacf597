import { InvalidArgumentError } from '../errors.js';
import { isUuid } from '../storage-kit/field-types.js';
import { shouldAuditStatus } from '../audit/audit-policy.js';
import type { AuditLevel, TaskStatus } from '../ports/task-record.js';
import { checkOptionsObject, optionKeys } from '../option-keys.js';
import { describeValue } from '../describe-value.js';

/** Options of the management actions (`cancel`, `runNow`, `retry`, `deleteTask`, `pauseQueue`, `resumeQueue`). */
export interface ActionOptions {
  /**
   * Who asks for the action (a user name, 1–200 characters), recorded in the task's status
   * history (`actor`) or in the paused-queue record, and named in the engine log.
   * @defaultValue null (the application itself)
   */
  actor?: string | null;
}

const ACTION_KEYS = optionKeys<ActionOptions>({ actor: true });
const MAX_ACTOR_LENGTH = 200;

/** The actor of checked action options (null when none is given). */
export function resolveActor(options: ActionOptions, action: string): string | null {
  checkOptionsObject(options, ACTION_KEYS, `${action} options`);
  const actor = options.actor ?? null;
  if (actor !== null && (typeof actor !== 'string' || actor.length === 0 || actor.length > MAX_ACTOR_LENGTH)) {
    throw new InvalidArgumentError(`${action} option actor must be a string of 1 to ${MAX_ACTOR_LENGTH} characters or null; received ${describeValue(actor)}.`);
  }
  return actor;
}

/** A task id argument: a lowercase UUID. */
export function checkTaskId(id: unknown, action: string): string {
  if (!isUuid(id)) throw new InvalidArgumentError(`${action} takes a task id (a lowercase UUID); received ${describeValue(id)}.`);
  return id;
}

/**
 * The status-audit row of an action, when its task's audit level writes one: an action an actor
 * asked for is recorded at every level but `none`; one without an actor as the engine's own
 * changes are.
 */
export function actionAudit(level: AuditLevel, status: TaskStatus, actor: string | null): { audit?: { error: null; actor: string | null } } {
  const audited = actor === null ? shouldAuditStatus(level, status, null) : level !== 'none';
  return audited ? { audit: { error: null, actor } } : {};
}
