import type { Duration } from '../duration.js';
import type { AuditLevel } from '../ports/task-record.js';
import type { RecurringBuilder } from '../recurring/schedule-builder.js';

/** Options of `dispatch`. */
export interface DispatchOptions {
  /** Run after this delay (ms or a string such as '5m'). Not with `runAt`. */
  delay?: Duration;
  /** Run at this time (a past time runs now). Not with `delay`. */
  runAt?: Date;
  /**
   * Idempotency key: one active task per key. Re-dispatching while the task waits updates it in
   * place (same id); while it runs it is a no-op returning its id; once it finished a new task
   * replaces it. Up to 200 characters.
   */
  taskKey?: string;
  /** Queue to run on (overrides the definition's). */
  queue?: string;
  /** @defaultValue the engine's `defaults.auditLevel` */
  auditLevel?: AuditLevel;
  /** A recurring schedule: `(s) => s.everyDay().atTime('03:00').timeZone('Europe/Rome')`. */
  recurring?: RecurringBuilder;
  /**
   * A driver transaction to insert the task within (storages with transactional dispatch, e.g.
   * a `pg` client inside your `BEGIN`): the task runs only if that transaction commits.
   */
  tx?: unknown;
}

/** Options of `dispatchMany`: as `dispatch`, without a task key or a recurring schedule. */
export type DispatchManyOptions = Omit<DispatchOptions, 'taskKey' | 'recurring'>;
