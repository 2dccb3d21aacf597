/**
 * Every error the library throws is an `EverTaskError` with a stable `code`. Messages name the bad
 * value and the fix.
 */
export type EverTaskErrorCode =
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_INVALID_PAYLOAD'
  | 'ERR_UNKNOWN_TASK'
  | 'ERR_UNKNOWN_QUEUE'
  | 'ERR_DUPLICATE_TASK'
  | 'ERR_QUEUE_FULL'
  | 'ERR_TASK_KEY_CONFLICT'
  | 'ERR_STORAGE'
  | 'ERR_TIMEOUT'
  | 'ERR_NON_RETRYABLE'
  | 'ERR_NOT_STARTED'
  | 'ERR_STOPPED'
  | 'ERR_INVALID_SCHEDULE'
  | 'ERR_RATE_LIMITED'
  | 'ERR_RATE_LIMIT_KEYS'
  | 'ERR_CANCELLED';

export class EverTaskError extends Error {
  readonly code: EverTaskErrorCode;

  constructor(code: EverTaskErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A public function received a value it cannot use. */
export class InvalidArgumentError extends EverTaskError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_INVALID_ARGUMENT', message, options);
  }
}

/** One issue found by a payload schema. */
export interface PayloadIssue {
  /** Dotted path of the failing field (`''` for the payload itself). */
  path: string;
  message: string;
}

/** A payload failed the task's schema, or cannot be serialized. Nothing was stored. */
export class InvalidPayloadError extends EverTaskError {
  readonly taskName: string;
  readonly issues: readonly PayloadIssue[];

  constructor(taskName: string, issues: readonly PayloadIssue[], detail?: string) {
    const list = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    super('ERR_INVALID_PAYLOAD', `Invalid payload for task "${taskName}": ${detail ?? list}`);
    this.taskName = taskName;
    this.issues = issues;
  }
}

export class UnknownTaskError extends EverTaskError {
  constructor(taskName: string) {
    super(
      'ERR_UNKNOWN_TASK',
      `Task "${taskName}" is not registered with this EverTask instance; add its definition to the "tasks" option.`,
    );
  }
}

export class UnknownQueueError extends EverTaskError {
  constructor(queue: string, known: readonly string[]) {
    super(
      'ERR_UNKNOWN_QUEUE',
      `Queue "${queue}" is not configured; configure it under "queues" or use one of: ${known.join(', ')}.`,
    );
  }
}

export class DuplicateTaskError extends EverTaskError {
  constructor(taskName: string) {
    super('ERR_DUPLICATE_TASK', `Two task definitions are named "${taskName}"; task names must be unique.`);
  }
}

/**
 * The target queue is full and its `whenFull` behaviour is `'throw'`. Nothing was stored: the
 * dispatch may be retried later without creating a duplicate.
 */
export class QueueFullError extends EverTaskError {
  readonly queue: string;

  constructor(queue: string, capacity: number) {
    super(
      'ERR_QUEUE_FULL',
      `Queue "${queue}" is full (capacity ${capacity}); the task was not stored. ` +
        `Dispatch it again later, raise the queue's "capacity", or use whenFull: 'wait' or 'fallback'.`,
    );
    this.queue = queue;
  }
}

/** A storage refused a second task with a key that is already taken. */
export class TaskKeyConflictError extends EverTaskError {
  readonly taskKey: string;

  constructor(taskKey: string, options?: { cause?: unknown; message?: string }) {
    super('ERR_TASK_KEY_CONFLICT', options?.message ?? `Task key "${taskKey}" is already used by another task.`, options);
    this.taskKey = taskKey;
  }
}

/**
 * The storage failed; `cause` carries the driver's error. `transient` is true for faults that may
 * pass (connection lost, database restarting, lock timeout): the engine retries those writes with
 * backoff instead of failing tasks.
 */
export class StorageError extends EverTaskError {
  readonly transient: boolean;

  constructor(message: string, options?: { cause?: unknown; transient?: boolean }) {
    super('ERR_STORAGE', message, options);
    this.transient = options?.transient ?? false;
  }
}

/** An attempt ran longer than its timeout; its `signal` was aborted. */
export class TaskTimeoutError extends EverTaskError {
  readonly timeoutMs: number;

  constructor(taskName: string, timeoutMs: number) {
    super('ERR_TIMEOUT', `Task "${taskName}" timed out after ${timeoutMs} ms.`);
    this.timeoutMs = timeoutMs;
  }
}

/** Throw from a handler to fail the task at once, whatever its retry policy says. */
export class NonRetryableError extends EverTaskError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_NON_RETRYABLE', message, options);
  }
}

/** A recurring schedule is invalid; the message names the part. */
export class InvalidScheduleError extends EverTaskError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_INVALID_SCHEDULE', message, options);
  }
}

/**
 * A rate-limited task was not run: its slot was further away than its `rateLimit.maxWait`, or
 * its policy discards over-budget tasks (`onExceeded: 'discard'`). The task failed.
 */
export class RateLimitRejectedError extends EverTaskError {
  readonly taskName: string;
  readonly key: string;
  /** The slot it would have had (epoch ms). */
  readonly slot: number;
  readonly reason: 'horizon' | 'discard';

  constructor(taskName: string, key: string, slot: number, maxWaitMs: number, reason: 'horizon' | 'discard' = 'horizon') {
    super(
      'ERR_RATE_LIMITED',
      reason === 'discard'
        ? `Task "${taskName}" (rate-limit key "${key}") is over its budget until ${new Date(slot).toISOString()} and its rateLimit.onExceeded is 'discard'; ` +
            `use onExceeded: 'wait' to park it instead.`
        : `Task "${taskName}" (rate-limit key "${key}") would have to wait until ${new Date(slot).toISOString()}, ` +
            `beyond its rateLimit.maxWait of ${maxWaitMs} ms; raise maxWait or the permits.`,
    );
    this.taskName = taskName;
    this.key = key;
    this.slot = slot;
    this.reason = reason;
  }
}

/** A rate-limit store tracks as many keys as it may; a task with a new key runs unthrottled (fail-open). */
export class RateLimitKeysExhaustedError extends EverTaskError {
  constructor(limit: number) {
    super('ERR_RATE_LIMIT_KEYS', `The rate limiter tracks ${limit} keys already; a task with a new key runs unthrottled. Use fewer distinct keys.`);
  }
}

/** The former name of {@link RateLimitRejectedError} (same class). */
export const RateLimitedError = RateLimitRejectedError;
/** The former name of {@link RateLimitRejectedError}. */
export type RateLimitedError = RateLimitRejectedError;

/** The engine is not running (call `start()` first) or is stopping. */
export class EngineStateError extends EverTaskError {
  constructor(code: 'ERR_NOT_STARTED' | 'ERR_STOPPED', message: string) {
    super(code, message);
  }
}

/** The task was cancelled (by `cancel(id)` or by shutdown). */
export class TaskCancelledError extends EverTaskError {
  constructor(message: string) {
    super('ERR_CANCELLED', message);
  }
}

/** Normalises anything thrown into an `Error`. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === 'string') return new Error(value);
  try {
    return new Error(`Non-error thrown: ${JSON.stringify(value)}`);
  } catch {
    return new Error(`Non-error thrown: ${String(value)}`);
  }
}

/** Error text stored with a task: name, message and stack, with the cause chain. */
export function describeError(error: unknown): string {
  const err = toError(error);
  let text = err.stack ?? `${err.name}: ${err.message}`;
  if (!text.includes(err.message)) text = `${err.name}: ${err.message}\n${text}`;
  if (err.cause !== undefined) text += `\nCaused by: ${describeError(err.cause)}`;
  return text;
}
