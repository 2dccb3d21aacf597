import type { AnyTask, EngineContext } from '../engine-context.js';
import type { ResolvedOptions } from '../options.js';
import type { StoredTask, TaskPatch, TaskStatus } from '../ports/task-record.js';
import type { TaskTransition } from '../ports/task-storage.js';
import type { RecurringSchedule } from '../recurring/schedule-spec.js';
import type { QueueRunner } from './queue-runner.js';
import type { RunFinisher, RunOutcome } from './run-finisher.js';
import { TaskCancelledError, TaskTimeoutError, UnknownTaskError, toError } from '../errors.js';
import { shouldAuditStatus } from '../audit/audit-policy.js';
import { LocalRateLimits } from '../rate-limit/local-rate-limits.js';
import { RateLimitGate } from '../rate-limit/rate-limit-gate.js';
import { RateLimitAdmission } from './rate-limit-admission.js';
import { lateOccurrence, storedSchedule } from '../recurring/recurring-task.js';
import { checkPayload } from '../serialization/payload-validation.js';
import { TaskExecution, type AbortReason } from './task-execution.js';
import { ActiveRun } from './active-run.js';
import { DeadlineTimers } from '../scheduler/deadline-timers.js';
import { OK } from './run-finisher.js';
import { historyShift } from './history-shift.js';

const FROM_QUEUED: readonly TaskStatus[] = Object.freeze(['queued']);

/** Marks a handler that returned normally (any thrown value, even undefined, is an error). */
const NO_ERROR = Symbol('no error');

/**
 * Runs a claimed task to its outcome: the checks before a run (payload schema, late recurring
 * occurrence, rate limit), the `in-progress` write, the start hooks, the handler with its
 * timeout, and handing the settled run to the `RunFinisher`. Internal to the engine.
 */
export class TaskRunner {
  readonly #ctx: EngineContext;
  readonly #options: ResolvedOptions;
  readonly #finisher: RunFinisher;
  /** The rate-limit budgets: the storage's when it has them (shared by every process), else this engine's. */
  readonly rateLimits: RateLimitGate;
  readonly #admission: RateLimitAdmission;
  readonly #now: () => number;
  /** The timeouts of the running attempts, on one clock timer. */
  readonly #timeouts: DeadlineTimers;
  /** The executions of asynchronous handlers (and of runs in a start hook), by task id. */
  readonly #running = new Map<string, TaskExecution>();

  constructor(ctx: EngineContext, finisher: RunFinisher) {
    this.#ctx = ctx;
    this.#options = ctx.options;
    this.#finisher = finisher;
    const clock = this.#options.clock;
    this.#now = () => clock.now();
    this.#timeouts = new DeadlineTimers(clock);
    const shared = ctx.storage.rateLimits;
    this.rateLimits = new RateLimitGate(shared ?? new LocalRateLimits(), shared !== undefined);
    this.#admission = new RateLimitAdmission(ctx, finisher, this.rateLimits);
  }

  /** How many handlers run here (asynchronous ones, and runs in a start hook). */
  get runningCount(): number {
    return this.#running.size;
  }

  /** Resolves once no handler runs here and no finishing work is pending. */
  async allFinished(): Promise<void> {
    while (this.#running.size > 0 || this.#finisher.busy) {
      if (this.#finisher.busy) await this.#finisher.settled();
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Aborts every handler running here (`stop()` once its timeout is over). */
  abortAll(reason: AbortReason): void {
    for (const id of [...this.#running.keys()]) this.abortLocal(id, reason);
  }

  /** Gives back the rate-limit slot a cancelled task held. */
  releaseRateLimit(taskId: string): Promise<void> {
    return this.#admission.release(taskId);
  }

  /**
   * Runs a claimed task; `done` frees its worker slot and is called exactly once, synchronously
   * when the handler is synchronous. The common case (no schema, no schedule, no rate limit, no
   * hooks, a synchronous handler) runs without a promise of its own.
   */
  execute(task: StoredTask, queue: QueueRunner, done: () => void): void {
    const def = this.#options.tasks.get(task.name);
    if (!def) {
      this.#finisher.track(this.#finisher.poison(task, new UnknownTaskError(task.name)));
      done();
      return;
    }
    let payload: unknown;
    try {
      payload = this.#options.codec.parse(task.payload);
    } catch (error) {
      this.#finisher.track(this.#finisher.poison(task, toError(error)));
      done();
      return;
    }
    if (def.schema === undefined && task.recurring === null && def.rateLimit === undefined) {
      this.#begin(task, queue, def, payload, undefined, done);
      return;
    }
    this.#gate(task, def, payload).then(
      (gated) => {
        if (gated) this.#begin(task, queue, def, gated.payload, gated.schedule, done);
        else done();
      },
      (error: unknown) => {
        this.#options.logger.error(`Starting task ${task.id} failed: ${toError(error).message}`, { error: toError(error) });
        done();
      },
    );
  }

  /**
   * The checks before a run that may wait: payload schema, recurring slot, rate limit. Resolves
   * with what the run needs, or undefined when the task does not run now (already handled).
   */
  async #gate(task: StoredTask, def: AnyTask, payload: unknown): Promise<{ payload: unknown; schedule: RecurringSchedule | undefined } | undefined> {
    if (def.schema) {
      try {
        payload = await checkPayload(def.name, def.schema, payload);
      } catch (error) {
        this.#finisher.track(this.#finisher.poison(task, toError(error)));
        return undefined;
      }
    }
    let schedule: RecurringSchedule | undefined;
    if (task.recurring !== null) {
      try {
        schedule = storedSchedule(task);
      } catch (error) {
        this.#finisher.track(this.#finisher.poison(task, toError(error), true));
        return undefined;
      }
      if (task.attempts === 0 && !(await this.#onTime(task, schedule))) return undefined;
    }
    if (def.rateLimit && !(await this.#admission.admit(task, def, payload, schedule))) return undefined;
    return { payload, schedule };
  }

  /** Marks the task in progress, runs the start hooks, then the handler. */
  #begin(task: StoredTask, queue: QueueRunner, def: AnyTask, payload: unknown, schedule: RecurringSchedule | undefined, done: () => void): void {
    const attempt = task.attempts + 1;
    // this run's history times never precede what other processes wrote of the task (their clocks may be ahead)
    const shiftMs = historyShift(task, this.#options.clock.now(), this.#options.leaseMs);
    const startedAt = this.#options.clock.now() + shiftMs;
    const execution = new TaskExecution(task, attempt, this.#options.logger, this.#options.logs, this.#now);
    // runCount: this run's number in the series (1 on the first run); task.runCount counts finished runs
    if (schedule) execution.occurrence = { scheduledAt: task.scheduledAt ?? task.dueAt ?? startedAt, runCount: task.runCount + 1 };
    const patch: TaskPatch = { attempts: attempt, recoveryFailures: 0, leaseExpiresAt: startedAt + this.#options.leaseMs };
    if (schedule) patch.scheduledAt = task.scheduledAt;
    const change: TaskTransition = { id: task.id, from: FROM_QUEUED, owner: this.#options.instanceId, to: 'in-progress', at: startedAt, patch };
    if (shouldAuditStatus(task.auditLevel, 'in-progress', null)) change.audit = { error: null };
    const hooks = def.options;
    const run = new ActiveRun(task, def, queue, execution, payload, schedule, change, done);
    run.shiftMs = shiftMs;
    if (this.#ctx.emitter.has('task:started')) {
      this.#ctx.emitter.emit('task:started', { taskId: task.id, taskName: task.name, queue: task.queue, at: startedAt, attempt });
    }
    let before: Promise<void> | undefined;
    if (attempt === 1) {
      if (hooks.onStarted) before = this.#finisher.hook(task, 'onStarted', () => hooks.onStarted?.(run.hookCtx));
    } else {
      const info = this.#finisher.takeRetryInfo(task.id);
      if (hooks.onRetry) {
        const previousError = info?.error ?? new Error(task.error ?? 'previous attempt failed');
        const delayMs = info?.delayMs ?? Math.max(0, (task.dueAt ?? startedAt) - (task.lastExecutionAt ?? startedAt));
        before = this.#finisher.hook(task, 'onRetry', () => hooks.onRetry?.(run.hookCtx, attempt, previousError, delayMs));
      }
    }
    if (before) {
      // cancellable while its start hook runs
      this.#sendStart(run);
      this.#running.set(task.id, execution);
      void before.then(() => this.#runHandler(run));
    } else this.#runHandler(run);
  }

  /**
   * Queues the `in-progress` write of a run, unless already queued. It waits until the handler
   * was called: a synchronous handler that succeeds is then stored with a single write (see
   * `#complete`), which the coalescer would otherwise have to merge.
   */
  #sendStart(run: ActiveRun): void {
    const change = run.start;
    if (change === undefined) return;
    run.start = undefined;
    run.queuedStart = change;
    const id = run.task.id;
    this.#ctx.writer.transitionThen(change, (applied, error) => {
      if (error !== undefined || !applied) this.abortLocal(id, 'lost');
    });
  }

  /**
   * Calls the handler. Nothing can interrupt a synchronous handler, so it settles at once and
   * needs no timeout and no entry among the running executions; an asynchronous one gets both
   * (its timeout counts from the call) and settles with its promise or with an abort, whichever
   * comes first.
   */
  #runHandler(run: ActiveRun): void {
    const { task, def, queue, execution } = run;
    const calledAt = this.#options.clock.now();
    let pending: PromiseLike<unknown> | undefined;
    try {
      pending = execution.run(def.options, run.payload);
    } catch (error) {
      this.#ranHandler(run, error);
      return;
    }
    if (pending === undefined) {
      this.#ranHandler(run, NO_ERROR);
      return;
    }
    this.#sendStart(run);
    this.#running.set(task.id, execution);
    // settled after the abort's caller went on (as the cancel, stop and lease paths expect)
    execution.onAbort = (error) => queueMicrotask(() => this.#ranHandler(run, error));
    const timeoutMs = def.timeoutMs ?? queue.config.timeoutMs ?? this.#finisher.queueConfigOf(def)?.timeoutMs ?? this.#options.timeoutMs;
    if (timeoutMs !== undefined && timeoutMs > 0) {
      // counted from the call, so a handler's synchronous part before its first await counts too
      run.timeout = this.#timeouts.add(
        timeoutMs,
        () => {
          execution.timeoutError = new TaskTimeoutError(task.name, timeoutMs);
          this.abortLocal(task.id, 'timeout');
        },
        calledAt,
      );
    }
    try {
      pending.then(
        () => this.#ranHandler(run, NO_ERROR),
        (error: unknown) => this.#ranHandler(run, error),
      );
    } catch (error) {
      // a thenable whose then() throws
      this.#ranHandler(run, error);
    }
  }

  /**
   * The handler settled or the run was aborted, whichever came first (`error` is `NO_ERROR` on
   * success): record the outcome and free the slot.
   */
  #ranHandler(run: ActiveRun, error: unknown): void {
    if (run.settled) return;
    run.settled = true;
    try {
      const { task, execution } = run;
      if (run.timeout !== undefined) this.#timeouts.cancel(run.timeout);
      run.timeout = undefined;
      execution.onAbort = undefined;
      this.#running.delete(task.id);
      const outcome: RunOutcome =
        error === NO_ERROR ? OK : { ok: false, error: execution.reason === 'timeout' && execution.timeoutError ? execution.timeoutError : toError(error) };
      run.finishedAt = this.#options.clock.now() + run.shiftMs;
      run.logs = execution.drainLogs();
      run.reason = execution.reason;
      if (run.reason === undefined && outcome.ok && run.schedule === undefined) {
        this.#finisher.complete(run, this.#takeStart(run));
      } else if (run.reason === undefined && run.schedule !== undefined && (outcome.ok || !this.#finisher.willRetry(run, outcome.error))) {
        this.#finisher.track(this.#finisher.finishOccurrence(run, run.schedule, outcome.ok ? undefined : outcome.error, this.#takeStart(run)));
      } else {
        this.#sendStart(run);
        this.#finisher.track(this.#finisher.finish(run, outcome));
      }
    } finally {
      // the worker slot is freed whatever happened above
      run.done();
    }
  }

  /**
   * The run's `in-progress` change when it is not written yet, for its finish to carry it (one
   * write instead of two): never queued (a synchronous handler), or queued and still unsent (an
   * asynchronous handler that settled within the tick), which the coalescer then gives back.
   */
  #takeStart(active: ActiveRun): TaskTransition | undefined {
    const start = active.start ?? (active.queuedStart !== undefined && this.#ctx.writer.withdraw(active.queuedStart) ? active.queuedStart : undefined);
    active.start = undefined;
    active.queuedStart = undefined;
    return start;
  }

  /**
   * A recurring occurrence picked up late (the engine was down): runs it now when it is still the
   * current slot, else skips forward to the next real occurrence (counting the missed ones) or
   * ends the series. True when it should run now.
   */
  async #onTime(task: StoredTask, schedule: RecurringSchedule): Promise<boolean> {
    const now = this.#options.clock.now();
    const late = lateOccurrence(task, schedule, now);
    if (!late) return true;
    const base = { taskId: task.id, taskName: task.name, queue: task.queue, at: now };
    if (late.next && late.next.missed > 0) {
      this.#ctx.emitter.emit('recurring:missed', { ...base, missed: late.next.missed, nextAt: late.next.at });
      this.#options.logger.warn(`Recurring task ${task.id} ("${task.name}") missed ${late.next.missed} occurrence(s) while no engine ran.`);
    }
    if (late.run && late.next) {
      task.scheduledAt = late.next.at;
      return true;
    }
    if (!late.next) {
      await this.#finisher.transition(task, 'completed', now, { dueAt: null, leaseOwner: null, leaseExpiresAt: null }, []);
      return false;
    }
    const dueAt = late.next.at;
    const applied = await this.#finisher.transition(task, 'waiting', now, { dueAt, scheduledAt: dueAt, leaseOwner: null, leaseExpiresAt: null }, []);
    if (applied && this.#ctx.isRunning()) this.#ctx.dueTimes.schedule(task.id, dueAt);
    return false;
  }

  /** Aborts a handler running here (cancel, timeout, shutdown, lost lease); false when none runs. */
  abortLocal(id: string, reason: AbortReason): boolean {
    const execution = this.#running.get(id);
    if (!execution) return false;
    const error =
      reason === 'timeout' && execution.timeoutError
        ? execution.timeoutError
        : new TaskCancelledError(reason === 'shutdown' ? `Task ${id} was interrupted by shutdown.` : `Task ${id} was cancelled.`);
    execution.abort(reason, error);
    return true;
  }
}
