/**
 * The tracing and metrics port: what an instrumentation (such as `@evertask/opentelemetry`) is told
 * of dispatches and attempts. The core depends on no telemetry library; without the `instrumentation`
 * option the engine makes no call here and allocates nothing for it.
 */
import type { TaskStorage } from './ports/task-storage.js';
import { InvalidArgumentError } from './errors.js';
import { describeValue } from './describe-value.js';

/** How one attempt ended, as an instrumentation records it. */
export type AttemptOutcome =
  /** The handler returned. */
  | 'completed'
  /** The handler threw and no retry is left (or the error is not retryable). */
  | 'failed'
  /** The handler threw and a retry is scheduled. */
  | 'retry'
  /** The attempt ran past its timeout (retried or failed by the policy: see `willRetry`). */
  | 'timeout'
  /** The task was cancelled while it ran. */
  | 'cancelled'
  /** `stop()` interrupted it; it runs again at the next start. */
  | 'stopped'
  /** Another instance took the task over, or it was cancelled elsewhere; its result is dropped. */
  | 'lost';

/** A dispatch as it starts (one per `dispatch`, one per `dispatchMany` batch). */
export interface DispatchStart {
  readonly taskName: string;
  readonly queue: string;
  /** The id of the first task (its only one for `dispatch`). */
  readonly taskId: string;
  /** Tasks in the dispatch (1 for `dispatch`). */
  readonly count: number;
  readonly taskKey: string | null;
  /** When the task is due (epoch ms). */
  readonly dueAt: number;
  readonly recurring: boolean;
}

/** A dispatch under way: its trace context is stored with every task of it. */
export interface DispatchScope {
  /** Stored as `StoredTask.traceContext` (at most 4096 characters), or null. */
  readonly traceContext: string | null;
  /** The tasks are stored (`error` undefined), or the dispatch failed. Called once. */
  end(error: Error | undefined): void;
}

/** An attempt as it starts, before its handler runs. */
export interface AttemptStart {
  readonly taskId: string;
  readonly taskName: string;
  readonly queue: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** The stored trace context of the dispatch, or null. */
  readonly traceContext: string | null;
  /** When the task became due (its due time, or its creation for an immediate task; epoch ms). */
  readonly readyAt: number;
  /** When the attempt started (epoch ms). */
  readonly startedAt: number;
  readonly recurring: boolean;
  /** The instance running it. */
  readonly instanceId: string;
}

/** How an attempt ended. */
export interface AttemptEnd {
  readonly outcome: AttemptOutcome;
  /** What the handler threw (or the timeout/cancel error); undefined when it completed. */
  readonly error: Error | undefined;
  /** Whether a retry is scheduled. */
  readonly willRetry: boolean;
  /** Milliseconds from the start of the attempt to its end. */
  readonly durationMs: number;
}

/** An attempt under way. */
export interface AttemptScope {
  /** Runs the handler, e.g. inside the attempt's span context; returns what `fn` returns. */
  run<T>(fn: () => T): T;
  /** The attempt ended. Called once. */
  end(result: AttemptEnd): void;
}

/** What an instrumentation may read of the engine it is attached to (queue depth gauges). */
export interface InstrumentedEngine {
  readonly storage: TaskStorage;
  readonly queueNames: readonly string[];
  readonly instanceId: string;
}

/**
 * Engine option `instrumentation`. Every call is made synchronously on the engine's path: keep
 * them cheap. A call that throws is caught and logged, and the engine carries on without it.
 */
export interface TaskInstrumentation {
  /** Called when the engine has started (again after each `stop()`), its storage open. */
  attach?(engine: InstrumentedEngine): void;
  /** Called when the engine has stopped (observers stop reading the storage). */
  detach?(): void;
  /** A dispatch starts, in the caller's async context, before its tasks are stored. */
  startDispatch(start: DispatchStart): DispatchScope;
  /** An attempt starts, before its handler is called. */
  startAttempt(start: AttemptStart): AttemptScope;
}

/** Longest trace context an instrumentation may store with a task. */
export const MAX_TRACE_CONTEXT_LENGTH = 4096;

/** Checks the `instrumentation` engine option. */
export function resolveInstrumentation(value: unknown): TaskInstrumentation | undefined {
  if (value === undefined) return undefined;
  const methods = ['startDispatch', 'startAttempt'] as const;
  if (value === null || typeof value !== 'object' || methods.some((m) => typeof (value as Record<string, unknown>)[m] !== 'function')) {
    throw new InvalidArgumentError(
      `EverTask option "instrumentation" must be an object with startDispatch and startAttempt functions, such as openTelemetry() of @evertask/opentelemetry; received ${describeValue(value)}.`,
    );
  }
  for (const optional of ['attach', 'detach'] as const) {
    const method = (value as Record<string, unknown>)[optional];
    if (method !== undefined && typeof method !== 'function') {
      throw new InvalidArgumentError(`EverTask option "instrumentation.${optional}" must be a function when given; received ${describeValue(method)}.`);
    }
  }
  return value as TaskInstrumentation;
}

const NOOP_DISPATCH: DispatchScope = Object.freeze({ traceContext: null, end() {} });
const NOOP_ATTEMPT: AttemptScope = Object.freeze({ run: <T>(fn: () => T): T => fn(), end() {} });

/**
 * The instrumentation as the engine calls it: a throwing call, or a trace context that is not
 * text of at most `MAX_TRACE_CONTEXT_LENGTH` characters, is reported to `report` and replaced by
 * a no-op, so that telemetry can never fail a dispatch or a task.
 */
export function guardInstrumentation(inner: TaskInstrumentation, report: (message: string, error: unknown) => void): TaskInstrumentation {
  const safely = (what: string, call: () => void): void => {
    try {
      call();
    } catch (error) {
      report(`instrumentation.${what} threw; the engine carries on without it`, error);
    }
  };
  return {
    attach: (engine) => safely('attach', () => inner.attach?.(engine)),
    detach: () => safely('detach', () => inner.detach?.()),
    startDispatch(start) {
      let scope: DispatchScope = NOOP_DISPATCH;
      safely('startDispatch', () => (scope = inner.startDispatch(start)));
      const context: unknown = scope.traceContext;
      if (context !== null && (typeof context !== 'string' || context.length > MAX_TRACE_CONTEXT_LENGTH)) {
        report(`instrumentation.startDispatch gave a trace context that is not text of at most ${MAX_TRACE_CONTEXT_LENGTH} characters (${describeValue(context)}); the task is stored without one`, undefined);
        const end = scope.end.bind(scope);
        return { traceContext: null, end: (error) => safely('dispatch end', () => end(error)) };
      }
      const inside = scope;
      return { traceContext: inside.traceContext, end: (error) => safely('dispatch end', () => inside.end(error)) };
    },
    startAttempt(start) {
      let scope: AttemptScope = NOOP_ATTEMPT;
      safely('startAttempt', () => (scope = inner.startAttempt(start)));
      const inside = scope;
      return {
        // a throw of the handler passes through; only the scope's own failure to run fn is not caught
        run: (fn) => inside.run(fn),
        end: (result) => safely('attempt end', () => inside.end(result)),
      };
    },
  };
}
