import type { TaskHookContext } from '../define-task.js';
import type { AnyTask } from '../engine-context.js';
import type { ExecutionLogEntry, StoredTask } from '../ports/task-record.js';
import type { TaskTransition } from '../ports/task-storage.js';
import type { RecurringSchedule } from '../recurring/schedule-spec.js';
import type { QueueRunner } from './queue-runner.js';
import type { FinishedRun } from './run-finisher.js';
import type { AbortReason, TaskExecution } from './task-execution.js';
import type { Deadline } from '../scheduler/deadline-timers.js';

const NO_LOGS: ExecutionLogEntry[] = [];

/**
 * One attempt from its start to its recorded outcome: what the runner needs while the handler
 * runs, and then (the same object, no copy) the `FinishedRun` the finisher records. The hook
 * context is built only when a hook asks for it. Every field is set in the constructor, so all
 * runs share one shape.
 */
export class ActiveRun implements FinishedRun {
  readonly task: StoredTask;
  readonly def: AnyTask;
  readonly queue: QueueRunner;
  readonly attempt: number;
  readonly startedAt: number;
  readonly execution: TaskExecution;
  readonly payload: unknown;
  readonly schedule: RecurringSchedule | undefined;
  /** Frees the worker slot (called once). */
  readonly done: () => void;
  /** The timeout's handle in the engine's deadline timers, while it is armed. */
  timeout: Deadline | undefined = undefined;
  /** The `in-progress` change, until it is queued. */
  start: TaskTransition | undefined;
  /** The `in-progress` change once queued: withdrawn again when the run ends before it is sent. */
  queuedStart: TaskTransition | undefined = undefined;
  /** True once the handler settled or the run was aborted (the first of the two wins). */
  settled = false;
  finishedAt = 0;
  /** Added to this process's clock for the run's history times (see `historyShift`). */
  shiftMs = 0;
  logs: ExecutionLogEntry[] = NO_LOGS;
  reason: AbortReason | undefined = undefined;
  #hookCtx: TaskHookContext<unknown> | undefined = undefined;

  constructor(
    task: StoredTask,
    def: AnyTask,
    queue: QueueRunner,
    execution: TaskExecution,
    payload: unknown,
    schedule: RecurringSchedule | undefined,
    start: TaskTransition,
    done: () => void,
  ) {
    this.task = task;
    this.def = def;
    this.queue = queue;
    this.attempt = execution.attempt;
    this.startedAt = start.at;
    this.execution = execution;
    this.payload = payload;
    this.schedule = schedule;
    this.start = start;
    this.done = done;
  }

  get hookCtx(): TaskHookContext<unknown> {
    this.#hookCtx ??= { taskId: this.task.id, taskName: this.task.name, attempt: this.attempt, payload: this.payload };
    return this.#hookCtx;
  }
}
