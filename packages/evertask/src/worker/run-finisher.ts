import type { TaskHookContext } from '../define-task.js';
import type { AnyTask, EngineContext } from '../engine-context.js';
import type { ResolvedOptions } from '../options.js';
import type { ExecutionLogEntry, StoredTask, TaskStatus } from '../ports/task-record.js';
import type { TaskTransition } from '../ports/task-storage.js';
import type { RetryPolicy } from '../retry/retry-policy.js';
import type { RecurringSchedule } from '../recurring/schedule-spec.js';
import type { NextRun } from '../recurring/next-occurrence.js';
import type { QueueRunner } from './queue-runner.js';
import type { AbortReason } from './task-execution.js';
import { TaskCancelledError, describeError, toError } from '../errors.js';
import { shouldAuditRun, shouldAuditStatus } from '../audit/audit-policy.js';
import { nextRunAfter } from '../recurring/recurring-task.js';

/** How a handler settled. */
export type RunOutcome = { ok: true } | { ok: false; error: Error };
/** The outcome of every successful run (shared, never copied). */
export const OK: RunOutcome = Object.freeze({ ok: true });

const FROM_RUNNING: readonly TaskStatus[] = Object.freeze(['in-progress', 'queued']);

/** A run whose handler settled, as the finisher records it. */
export interface FinishedRun {
  task: StoredTask;
  def: AnyTask;
  queue: QueueRunner;
  attempt: number;
  startedAt: number;
  finishedAt: number;
  logs: ExecutionLogEntry[];
  /** Built when first read (only hooks read it). */
  readonly hookCtx: TaskHookContext<unknown>;
  reason: AbortReason | undefined;
  schedule: RecurringSchedule | undefined;
}

/**
 * Records the outcome of a run: `completed`, a retry, `failed`, `service-stopped`, the next
 * occurrence of a recurring series, or poison; emits the events and runs the hooks, and tracks
 * this finishing work so that `stop()` can wait for it. Internal to the engine.
 */
export class RunFinisher {
  readonly #ctx: EngineContext;
  readonly #options: ResolvedOptions;
  readonly #retryInfo = new Map<string, { error: Error; delayMs: number }>();
  /** Finishing work (status writes, hooks) not yet settled, and who waits for it to reach zero. */
  #finishing = 0;
  #finishWaiters: (() => void)[] = [];

  constructor(ctx: EngineContext) {
    this.#ctx = ctx;
    this.#options = ctx.options;
  }

  /** The error and delay of the failed attempt a retry follows, once (undefined after a restart). */
  takeRetryInfo(taskId: string): { error: Error; delayMs: number } | undefined {
    const info = this.#retryInfo.get(taskId);
    this.#retryInfo.delete(taskId);
    return info;
  }

  /** Counts finishing work (status writes, hooks) until it settles; `allFinished` waits for it. */
  track(work: Promise<void>): void {
    this.#finishing++;
    work.then(
      () => this.#finished(),
      (error: unknown) => {
        this.#options.logger.error(`Finishing a task failed: ${toError(error).message}`, { error: toError(error) });
        this.#finished();
      },
    );
  }

  #finished(): void {
    if (--this.#finishing === 0) for (const wake of this.#finishWaiters.splice(0)) wake();
  }

  /** True while finishing work (status writes, hooks) is pending. */
  get busy(): boolean {
    return this.#finishing > 0;
  }

  /** Resolves once no finishing work is pending. */
  settled(): Promise<void> {
    if (this.#finishing === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.#finishWaiters.push(resolve));
  }

  /** The configuration of the queue a task definition names, if it names one. */
  queueConfigOf(def: AnyTask) {
    return def.options.queue ? this.#ctx.queues.get(def.options.queue)?.config : undefined;
  }

  #retryPolicyFor(def: AnyTask, queue: QueueRunner): RetryPolicy {
    return def.options.retry ?? this.queueConfigOf(def)?.retry ?? queue.config.retry ?? this.#options.retry;
  }

  /**
   * A one-off run succeeded: store `completed`, then emit and run the hook. Written through a
   * callback rather than a promise chain (the hot path of a busy engine). With `start` (the
   * unsent `in-progress` change of a synchronous handler) both go as one `queued → completed`
   * write, its `in-progress` audit row kept as a prior row: the same result as the two writes.
   */
  complete(run: FinishedRun, start?: TaskTransition): void {
    const { task, def, attempt, startedAt, finishedAt, logs } = run;
    const durationMs = finishedAt - startedAt;
    const change: TaskTransition =
      start === undefined
        ? {
            id: task.id,
            from: FROM_RUNNING,
            owner: this.#options.instanceId,
            to: 'completed',
            at: finishedAt,
            patch: { lastExecutionAt: finishedAt, executionTimeMs: durationMs, leaseOwner: null, leaseExpiresAt: null, dueAt: null, error: null },
          }
        : {
            id: task.id,
            from: start.from,
            owner: this.#options.instanceId,
            to: 'completed',
            at: finishedAt,
            patch: {
              attempts: attempt,
              recoveryFailures: 0,
              lastExecutionAt: finishedAt,
              executionTimeMs: durationMs,
              leaseOwner: null,
              leaseExpiresAt: null,
              dueAt: null,
              error: null,
            },
          };
    if (start?.audit !== undefined) change.priorAudits = [{ status: start.to, at: start.at, error: start.audit.error }];
    if (shouldAuditStatus(task.auditLevel, 'completed', null)) change.audit = { error: null };
    if (logs.length > 0) change.logs = logs;
    this.#finishing++;
    this.#ctx.writer.transitionThen(change, (applied, error) => {
      try {
        if (error !== undefined) {
          this.#options.logger.error(`Could not record completed for task ${task.id}: ${error.message}`, { error });
        } else if (applied) {
          if (this.#ctx.emitter.has('task:completed')) {
            this.#ctx.emitter.emit('task:completed', { taskId: task.id, taskName: task.name, queue: task.queue, at: finishedAt, attempt, durationMs });
          }
          if (def.options.onCompleted) this.track(this.hook(task, 'onCompleted', () => def.options.onCompleted?.(run.hookCtx)));
        }
      } finally {
        this.#finished();
      }
    });
  }

  /** Records the outcome of any run: success, retry, failure, or an abort (lost, cancel, shutdown, timeout). */
  async finish(run: FinishedRun, outcome: RunOutcome): Promise<void> {
    const { task, def, attempt, startedAt, finishedAt, logs, reason } = run;
    const durationMs = finishedAt - startedAt;
    if (run.schedule && reason === undefined && (outcome.ok || !this.willRetry(run, outcome.error))) {
      await this.finishOccurrence(run, run.schedule, outcome.ok ? undefined : outcome.error);
      return;
    }
    if (reason === undefined && outcome.ok) {
      this.complete(run);
      return;
    }
    const base = { taskId: task.id, taskName: task.name, queue: task.queue, at: finishedAt };
    const ended = { lastExecutionAt: finishedAt, executionTimeMs: durationMs, leaseOwner: null, leaseExpiresAt: null };
    if (reason === 'lost') {
      this.#options.logger.warn(`Task ${task.id} was taken over or cancelled elsewhere while it ran here; its result is dropped.`);
      if (logs.length > 0) await this.#saveLogs(task.id, logs);
      return;
    }
    if (reason === 'cancel') {
      if (logs.length > 0) await this.#saveLogs(task.id, logs);
      await this.hook(task, 'onError', () => def.options.onError?.(run.hookCtx, new TaskCancelledError(`Task ${task.id} was cancelled.`)));
      return;
    }
    if (reason === 'shutdown') {
      const error = new TaskCancelledError(`Task ${task.id} was interrupted by shutdown; it runs again at the next start.`);
      await this.transition(task, 'service-stopped', finishedAt, { ...ended, dueAt: finishedAt }, logs, describeError(error));
      // no onError: the task is not over, it runs again at the next start
      this.#ctx.emitter.emit('task:stopped', base);
      return;
    }
    if (outcome.ok) {
      // a timeout fired after the handler had settled: the work is done
      const applied = await this.transition(task, 'completed', finishedAt, { ...ended, dueAt: null, error: null }, logs);
      if (applied) this.#ctx.emitter.emit('task:completed', { ...base, attempt, durationMs });
      return;
    }
    const error = outcome.error;
    const policy = this.#retryPolicyFor(def, run.queue);
    if (this.willRetry(run, error)) {
      let delayMs = 0;
      try {
        delayMs = Math.max(0, Number(policy.delayBefore(attempt + 1, error)) || 0);
      } catch (e) {
        this.#options.logger.error(`Retry policy of "${task.name}" threw in delayBefore; retrying at once: ${toError(e).message}`);
      }
      const dueAt = finishedAt + delayMs;
      const applied = await this.transition(task, 'waiting', finishedAt, { ...ended, dueAt, error: describeError(error) }, logs, describeError(error));
      if (!applied) return;
      this.#retryInfo.set(task.id, { error, delayMs });
      this.#ctx.emitter.emit('task:retrying', { ...base, attempt, error, delayMs });
      if (this.#ctx.isRunning()) {
        if (delayMs === 0) {
          this.#ctx.claims.claimSoon();
        } else this.#ctx.dueTimes.schedule(task.id, dueAt);
      }
      return;
    }
    const text = describeError(error);
    const applied = await this.transition(task, 'failed', finishedAt, { ...ended, dueAt: null, error: text }, logs, text);
    if (!applied) return;
    this.#ctx.emitter.emit('task:failed', { ...base, attempt, error, durationMs });
    await this.hook(task, 'onError', () => def.options.onError?.(run.hookCtx, error));
  }

  /** True when the retry policy of the run gives the failed attempt another try. */
  willRetry(run: FinishedRun, error: Error): boolean {
    const policy = this.#retryPolicyFor(run.def, run.queue);
    try {
      return run.attempt < policy.maxAttempts && policy.shouldRetry(error);
    } catch (e) {
      this.#options.logger.error(`Retry policy of "${run.task.name}" threw; not retrying: ${toError(e).message}`);
      return false;
    }
  }

  /**
   * A recurring occurrence finished (success, or failure with no retry left): count the run,
   * record it, and schedule the next occurrence from the scheduled time, or end the series.
   * A failed run never ends the series by itself.
   */
  async finishOccurrence(run: FinishedRun, schedule: RecurringSchedule, error: Error | undefined, start?: TaskTransition): Promise<void> {
    const { task, def, attempt, startedAt, finishedAt, logs } = run;
    const durationMs = finishedAt - startedAt;
    const runCount = Math.min(task.runCount + 1, 2 ** 31 - 1);
    const outcome = error ? 'failed' : 'completed';
    const errorText = error ? describeError(error) : null;
    let next: NextRun | undefined;
    try {
      next = nextRunAfter(task, schedule, finishedAt, runCount);
    } catch (e) {
      this.#options.logger.error(`Recurring task ${task.id}: computing the next run failed; ending the series: ${toError(e).message}`);
    }
    const to: TaskStatus = next ? 'waiting' : outcome;
    // with `start` (the unsent in-progress change of a run that ended synchronously) one write
    // does both; the run's own fields win, as they would when applied in order
    const change: TaskTransition = {
      id: task.id,
      from: start === undefined ? FROM_RUNNING : start.from,
      owner: this.#options.instanceId,
      to,
      at: finishedAt,
      patch: {
        recoveryFailures: 0,
        runCount,
        lastOutcome: outcome,
        attempts: 0,
        error: errorText,
        lastExecutionAt: finishedAt,
        executionTimeMs: durationMs,
        leaseOwner: null,
        leaseExpiresAt: null,
        dueAt: next ? next.at : null,
        scheduledAt: next ? next.at : task.scheduledAt,
      },
    };
    if (start?.audit !== undefined) change.priorAudits = [{ status: start.to, at: start.at, error: start.audit.error }];
    if (shouldAuditStatus(task.auditLevel, to, errorText)) change.audit = { error: errorText };
    if (shouldAuditRun(task.auditLevel, outcome, errorText)) change.runAudit = { at: finishedAt, status: outcome, executionTimeMs: durationMs, error: errorText };
    if (logs.length > 0) change.logs = logs;
    const applied = await this.#ctx.writer.transition(change).catch((e: unknown) => {
      this.#options.logger.error(`Could not record the run of recurring task ${task.id}: ${toError(e).message}`);
      return false;
    });
    if (!applied) return;
    if (next) {
      if (next.missed > 0) {
        this.#ctx.emitter.emit('recurring:missed', { taskId: task.id, taskName: task.name, queue: task.queue, at: finishedAt, missed: next.missed, nextAt: next.at });
      }
      if (this.#ctx.isRunning()) {
        if (next.at <= finishedAt) {
          this.#ctx.claims.claimSoon();
        } else this.#ctx.dueTimes.schedule(task.id, next.at);
      }
    }
    if (error) {
      this.#ctx.emitter.emit('task:failed', { taskId: task.id, taskName: task.name, queue: task.queue, at: finishedAt, attempt, error, durationMs });
      await this.hook(task, 'onError', () => def.options.onError?.(run.hookCtx, error));
    } else {
      if (this.#ctx.emitter.has('task:completed')) {
        this.#ctx.emitter.emit('task:completed', { taskId: task.id, taskName: task.name, queue: task.queue, at: finishedAt, attempt, durationMs });
      }
      if (def.options.onCompleted) await this.hook(task, 'onCompleted', () => def.options.onCompleted?.(run.hookCtx));
    }
  }

  /** Stores a status change of a task this instance holds; false (logged) when it did not apply. */
  async transition(
    task: StoredTask,
    to: TaskStatus,
    at: number,
    patch: TaskTransition['patch'],
    logs: ExecutionLogEntry[],
    error: string | null = null,
  ): Promise<boolean> {
    try {
      return await this.#ctx.writer.transition({
        id: task.id,
        from: ['in-progress', 'queued'],
        owner: this.#options.instanceId,
        to,
        at,
        ...(patch ? { patch } : {}),
        ...(shouldAuditStatus(task.auditLevel, to, error) ? { audit: { error } } : {}),
        ...(logs.length > 0 ? { logs } : {}),
      });
    } catch (e) {
      this.#options.logger.error(`Could not record ${to} for task ${task.id}: ${toError(e).message}`, { error: toError(e) });
      return false;
    }
  }

  async #saveLogs(taskId: string, logs: ExecutionLogEntry[]): Promise<void> {
    try {
      await this.#ctx.storage.saveExecutionLogs(taskId, logs);
    } catch (error) {
      this.#options.logger.error(`Could not save the execution logs of task ${taskId}: ${toError(error).message}`);
    }
  }

  /** A task that cannot be run (unknown, bad payload or schedule): retried later, then failed. */
  async poison(task: StoredTask, error: Error, permanent = false): Promise<void> {
    const now = this.#options.clock.now();
    const failures = task.recoveryFailures + 1;
    const final = permanent || failures >= this.#options.poisonAttempts;
    const text = `Task ${task.id} ("${task.name}") cannot be run: ${error.message}`;
    this.#options.logger.error(final ? `${text}. Failing it after ${failures} attempts.` : `${text}. Attempt ${failures} of ${this.#options.poisonAttempts}; retrying later.`);
    const base = { leaseOwner: null, leaseExpiresAt: null, recoveryFailures: failures, error: text };
    if (final) {
      await this.transition(task, 'failed', now, { ...base, dueAt: null }, [], text);
    } else {
      const dueAt = now + Math.min(60_000, 1000 * 2 ** (failures - 1));
      const applied = await this.transition(task, 'waiting', now, { ...base, dueAt }, [], text);
      if (applied && this.#ctx.isRunning()) this.#ctx.dueTimes.schedule(task.id, dueAt);
    }
    this.#ctx.emitter.emit('task:poisoned', { taskId: task.id, taskName: task.name, queue: task.queue, at: now, error, final });
  }

  /** Runs a lifecycle hook; a hook that throws is logged and reported, the outcome stays. */
  async hook(task: StoredTask, hook: 'onStarted' | 'onCompleted' | 'onError' | 'onRetry', call: () => unknown): Promise<void> {
    try {
      await call();
    } catch (error) {
      const err = toError(error);
      this.#options.logger.error(`The ${hook} hook of "${task.name}" threw for task ${task.id}; the task's outcome is unchanged: ${err.message}`, { error: err });
      this.#ctx.emitter.emit('hook:error', { taskId: task.id, taskName: task.name, queue: task.queue, at: this.#options.clock.now(), hook, error: err });
    }
  }
}
