import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Duration } from './duration.js';
import type { RetryPolicy } from './retry/retry-policy.js';
import type { TaskLogger } from './logs/task-logger.js';
import type { JsonPayloadCheck } from './json-payload.js';
import { InvalidArgumentError } from './errors.js';
import { checkRetryPolicy } from './retry/retry-policy.js';
import { toMilliseconds } from './duration.js';
import { checkOptionsObject, optionKeys } from './option-keys.js';
import { resolveRateLimit, type RateLimitOptions, type ResolvedRateLimit } from './rate-limit/rate-limit-options.js';
import { describeValue } from './describe-value.js';

/** What a handler receives besides its payload. */
export interface TaskContext {
  readonly taskId: string;
  readonly taskName: string;
  /** 1 for the first attempt, 2 for the first retry… */
  readonly attempt: number;
  readonly queue: string;
  readonly taskKey: string | null;
  /**
   * Aborted on timeout, `cancel(id)` and shutdown. JavaScript cannot stop a running promise: pass
   * the signal to fetch/database calls, or check `signal.aborted`, so the work really stops.
   */
  readonly signal: AbortSignal;
  /** Logs to the application logger and, when capture is on, into the task's execution log. */
  readonly logger: TaskLogger;
  /**
   * For recurring tasks: the occurrence being run (`scheduledAt`, epoch ms) and its number in the
   * series (`runCount`: 1 on the first run, counting the initial run of `runNow()`/`runAt()`).
   */
  readonly occurrence?: { readonly scheduledAt: number; readonly runCount: number };
}

/** What lifecycle hooks receive. */
export interface TaskHookContext<P> {
  readonly taskId: string;
  readonly taskName: string;
  readonly attempt: number;
  readonly payload: P;
}

export type TaskHandler<P> = (payload: P, ctx: TaskContext) => unknown;

/** Options of `defineTask`. */
export interface TaskDefinitionOptions<P> {
  /**
   * Stable identity stored with every task: keep it when you rename the handler or the file.
   * Letters, digits and `._:-/`, up to 200 characters.
   */
  name: string;
  handler: TaskHandler<P>;
  /** Queue the task runs on. @defaultValue 'default' ('recurring' for recurring dispatches) */
  queue?: string;
  /** Retry policy. @defaultValue the queue's, else the engine default (`linearRetry(3, 500)`) */
  retry?: RetryPolicy;
  /** Per-attempt timeout. @defaultValue the queue's, else the engine default (none) */
  timeout?: Duration;
  /**
   * Keyed rate limit (GCRA), per process: over-budget tasks wait in the scheduler for their slot
   * without holding a worker. @defaultValue none
   */
  rateLimit?: RateLimitOptions<P>;
  /** Called before the first attempt. Throwing is logged and changes nothing. */
  onStarted?: (ctx: TaskHookContext<P>) => unknown;
  /** Called after success. Throwing is logged and changes nothing. */
  onCompleted?: (ctx: TaskHookContext<P>) => unknown;
  /**
   * Called on final failure and cancellation — not on a graceful shutdown, after which the task
   * runs again (see the `task:stopped` event). Throwing is logged and changes nothing.
   */
  onError?: (ctx: TaskHookContext<P>, error: Error) => unknown;
  /** Called right before retry `attempt` runs, with the previous error and the delay waited. */
  onRetry?: (ctx: TaskHookContext<P>, attempt: number, error: Error, delayMs: number) => unknown;
}

/** A task definition: pass it to `new EverTask({ tasks })` and to `dispatch`. */
export interface TaskDefinition<P = unknown> {
  readonly name: string;
  readonly options: TaskDefinitionOptions<P>;
  /** The payload schema when the definition has one. */
  readonly schema: StandardSchemaV1 | undefined;
  /** Per-attempt timeout in ms, resolved at definition time. */
  readonly timeoutMs: number | undefined;
  /** The rate limit, resolved at definition time. */
  readonly rateLimit: ResolvedRateLimit | undefined;
  /** Phantom: the payload type accepted by `dispatch`. */
  readonly __payload?: (payload: P) => void;
}

export type PayloadOf<T> = T extends TaskDefinition<infer P> ? P : never;

const DEFINITION_KEYS = optionKeys<TaskDefinitionOptions<unknown> & { schema: unknown }>({
  name: true,
  handler: true,
  schema: true,
  queue: true,
  retry: true,
  timeout: true,
  rateLimit: true,
  onStarted: true,
  onCompleted: true,
  onError: true,
  onRetry: true,
});

const NAME_RE = /^[A-Za-z0-9._:\-/]{1,200}$/;

/** A task whose payload is validated by a Standard Schema (zod, valibot, arktype…). */
export function defineTask<S extends StandardSchemaV1>(
  options: Omit<TaskDefinitionOptions<StandardSchemaV1.InferOutput<S>>, 'handler'> & {
    schema: S;
    handler: TaskHandler<StandardSchemaV1.InferOutput<S>>;
  },
): TaskDefinition<StandardSchemaV1.InferInput<S>>;
/**
 * A task whose payload type comes from the handler's first parameter. The type must be a JSON
 * value (see `JsonPayload`): a `Date` in it is a compile error, since the handler would receive a
 * string. A handler without a parameter takes a `null` payload: `dispatch(task, null)`.
 */
export function defineTask<P = null>(options: TaskDefinitionOptions<P> & JsonPayloadCheck<P>): TaskDefinition<P>;
export function defineTask(options: TaskDefinitionOptions<unknown> & { schema?: StandardSchemaV1 }): TaskDefinition<unknown> {
  if (!options || typeof options !== 'object') throw new InvalidArgumentError('defineTask takes an options object with a name and a handler.');
  const { name, handler, schema } = options;
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new InvalidArgumentError(
      `defineTask name must be 1–200 characters of letters, digits and ._:-/; received ${describeValue(name)}.`,
    );
  }
  checkOptionsObject(options, DEFINITION_KEYS, `Task "${name}": defineTask options`);
  if (typeof handler !== 'function') throw new InvalidArgumentError(`Task "${name}": handler must be a function.`);
  if (schema !== undefined && typeof schema?.['~standard']?.validate !== 'function') {
    throw new InvalidArgumentError(`Task "${name}": schema must be a Standard Schema (zod, valibot, arktype…).`);
  }
  if (options.queue !== undefined && (typeof options.queue !== 'string' || options.queue.length === 0)) {
    throw new InvalidArgumentError(`Task "${name}": queue must be a non-empty string; received ${describeValue(options.queue)}.`);
  }
  if (options.retry !== undefined) checkRetryPolicy(options.retry, `Task "${name}": retry`);
  for (const hook of ['onStarted', 'onCompleted', 'onError', 'onRetry'] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== 'function') {
      throw new InvalidArgumentError(`Task "${name}": ${hook} must be a function.`);
    }
  }
  const timeoutMs = options.timeout === undefined ? undefined : toMilliseconds(options.timeout, `Task "${name}": timeout`);
  const rateLimit = options.rateLimit === undefined ? undefined : resolveRateLimit(name, options.rateLimit as RateLimitOptions<never>);
  return Object.freeze({ name, options, schema, timeoutMs, rateLimit });
}
