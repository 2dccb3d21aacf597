import type { TaskContext } from '../define-task.js';
import type { Logger } from '../logger.js';
import type { ExecutionLogEntry, StoredTask } from '../ports/task-record.js';
import type { ResolvedLogCapture, TaskLogger } from '../logs/task-logger.js';
import type { TaskTimeoutError } from '../errors.js';
import { TaskLogCollector } from '../logs/task-logger.js';

/** Why a running handler was aborted. */
export type AbortReason = 'cancel' | 'shutdown' | 'timeout' | 'lost';

/**
 * One attempt of one task in this process, and the `ctx` its handler receives. The abort signal
 * and the log collector are created only when the handler touches them, which keeps a no-op task
 * cheap.
 */
export class TaskExecution implements TaskContext {
  readonly taskId: string;
  readonly taskName: string;
  readonly attempt: number;
  readonly queue: string;
  readonly taskKey: string | null;
  occurrence: { readonly scheduledAt: number; readonly runCount: number } | undefined;
  reason: AbortReason | undefined;
  timeoutError: TaskTimeoutError | undefined;
  #controller: AbortController | undefined;
  #abortError: Error | undefined;
  /** Called once when the execution is aborted (the runner stops waiting for the handler). */
  onAbort: ((error: Error) => void) | undefined = undefined;
  #logger: TaskLogCollector | undefined;
  readonly #appLogger: Logger;
  readonly #capture: ResolvedLogCapture;
  readonly #now: () => number;

  constructor(task: StoredTask, attempt: number, appLogger: Logger, capture: ResolvedLogCapture, now: () => number) {
    this.taskId = task.id;
    this.taskName = task.name;
    this.attempt = attempt;
    this.queue = task.queue;
    this.taskKey = task.taskKey;
    this.#appLogger = appLogger;
    this.#capture = capture;
    this.#now = now;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#abortError) this.#controller.abort(this.#abortError);
    }
    return this.#controller.signal;
  }

  get logger(): TaskLogger {
    this.#logger ??= new TaskLogCollector(this.taskId, this.taskName, this.#appLogger, this.#capture, this.#now);
    return this.#logger;
  }

  get aborted(): boolean {
    return this.#abortError !== undefined;
  }

  /** Aborts the signal and stops waiting for the handler (first reason wins). */
  abort(reason: AbortReason, error: Error): void {
    if (this.#abortError) return;
    this.reason = reason;
    this.#abortError = error;
    this.#controller?.abort(error);
    this.onAbort?.(error);
  }

  /**
   * Runs `task.handler` (called as a method, as the user wrote it). A synchronous handler settles
   * here: `run` returns undefined, or throws what the handler threw (or the abort error when the
   * execution was aborted before it started). An asynchronous one gives back what it returned,
   * for the caller to wait on (no promise of its own per run); `onAbort` tells the caller when
   * the execution is aborted before that settles.
   */
  run(task: { handler: (payload: never, ctx: TaskContext) => unknown }, payload: unknown): PromiseLike<unknown> | undefined {
    if (this.#abortError) throw this.#abortError;
    const result = task.handler(payload as never, this);
    if (result instanceof Promise || (result && typeof (result as PromiseLike<unknown>).then === 'function')) return result as PromiseLike<unknown>;
    return undefined;
  }

  /** Captured log entries (empty when the handler never logged). */
  drainLogs(): ExecutionLogEntry[] {
    return this.#logger ? this.#logger.drain() : [];
  }
}
