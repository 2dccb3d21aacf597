import { hostname } from 'node:os';
import type { Clock } from './clock.js';
import type { Duration } from './duration.js';
import type { Logger } from './logger.js';
import type { TaskDefinition } from './define-task.js';
import type { TaskStorage } from './ports/task-storage.js';
import type { AuditLevel } from './ports/task-record.js';
import { AUDIT_LEVELS, LOG_LEVELS } from './ports/task-record.js';
import type { RetryPolicy } from './retry/retry-policy.js';
import type { LogCaptureOptions, ResolvedLogCapture } from './logs/task-logger.js';
import type { PayloadCodec } from './serialization/payload-codec.js';
import type { ResolvedRetention, RetentionOptions } from './maintenance/retention-options.js';
import { systemClock } from './clock.js';
import { consoleWarningsLogger } from './logger.js';
import { jsonPayloadCodec } from './serialization/payload-codec.js';
import { linearRetry, checkRetryPolicy } from './retry/retry-policy.js';
import { optionalMilliseconds, toMilliseconds } from './duration.js';
import { DuplicateTaskError, InvalidArgumentError, toError } from './errors.js';
import { guardInstrumentation, resolveInstrumentation, type TaskInstrumentation } from './instrumentation.js';
import { uuidv7 } from './ids.js';
import { checkOptionsObject, optionKeys } from './option-keys.js';
import { resolveLogger } from './logger.js';
import { resolveRetention } from './maintenance/retention-options.js';
import { resolveEventFeed, type EventFeedMode } from './event-feed/event-feed-mode.js';
import { describeValue } from './describe-value.js';

/** What a queue does when its local buffer is full at dispatch time. */
export type WhenFull = 'wait' | 'fallback' | 'throw';

/** Options of one named queue. */
export interface QueueOptions {
  /** Handlers of this queue running at once. @defaultValue 1 for named queues; `max(4, 2 × CPUs)` for `default` and `recurring` */
  concurrency?: number;
  /** Tasks buffered locally beyond those running. @defaultValue 500 for named queues; 1000 for `default` and `recurring` */
  capacity?: number;
  /**
   * When the buffer is full at dispatch: `'wait'` holds the dispatch until there is room
   * (back-pressure); `'fallback'` runs the task on the `default` queue (waiting there if that is
   * full too); `'throw'` stores the task for later and rejects with `QueueFullError`.
   * @defaultValue 'fallback' for named queues; 'wait' for `default` and `recurring`
   */
  whenFull?: WhenFull;
  /** Per-attempt timeout of the queue's tasks (a task's own timeout wins). @defaultValue the engine default */
  timeout?: Duration;
  /** Retry policy of the queue's tasks (a task's own policy wins). @defaultValue the engine default */
  retry?: RetryPolicy;
}

/** Engine-wide defaults. */
export interface EngineDefaults {
  /** @defaultValue linearRetry(3, 500): up to 4 attempts, 500 ms apart */
  retry?: RetryPolicy;
  /** Per-attempt timeout. @defaultValue none */
  timeout?: Duration;
  /** @defaultValue 'full' */
  auditLevel?: AuditLevel;
  /** Execution-log capture. @defaultValue disabled */
  logs?: LogCaptureOptions;
}

/** Options of `new EverTask(...)`. */
export interface EverTaskOptions {
  /** Where tasks are kept. @defaultValue a new `MemoryStorage` */
  storage?: TaskStorage;
  /** Every task definition this engine may dispatch or run. Names must be unique. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  tasks: readonly TaskDefinition<any>[];
  /** Named queues; `default` and `recurring` always exist and may be configured here. */
  queues?: Record<string, QueueOptions>;
  defaults?: EngineDefaults;
  /** @defaultValue warnings and errors to the console */
  logger?: Logger;
  /** @defaultValue the system clock */
  clock?: Clock;
  /** @defaultValue strict JSON */
  payloadCodec?: PayloadCodec;
  /**
   * This process's identity in leases. Give a stable id (e.g. the pod name) so that after a crash
   * the restarted process takes its own tasks back at once instead of waiting for their leases to
   * lapse. Never give two live processes the same id. @defaultValue `${hostname}:${pid}:${random}`
   */
  instanceId?: string;
  /** How long a claimed task stays reserved to this instance without a heartbeat. @defaultValue '30s' */
  lease?: Duration;
  /** Heartbeat period renewing this instance's leases. @defaultValue a third of `lease` */
  heartbeat?: Duration;
  /** Period of the safety sweep that looks for due work in storage. @defaultValue '5s' */
  sweepInterval?: Duration;
  /** Attempts to load an unreadable stored task (unknown name, bad payload) before failing it. @defaultValue 5 */
  poisonAttempts?: number;
  /** How long `stop()` lets running tasks finish before aborting them. @defaultValue '30s' */
  stopTimeout?: Duration;
  /**
   * Largest serialized payload accepted, in UTF-8 bytes. A larger one is refused at dispatch with
   * an `InvalidPayloadError` naming its size (nothing is stored): keep big data elsewhere and pass
   * a reference. @defaultValue 1048576 (1 MiB)
   */
  maxPayloadBytes?: number;
  /**
   * Deletes finished tasks, audit rows and logs by age, at start and then every
   * `retention.interval`, on one engine of all those sharing the storage. Off by default: the audit
   * trail is kept until you choose how long to keep it. @defaultValue none (nothing is deleted)
   */
  retention?: RetentionOptions;
  /**
   * Publishing of this engine's task events to the other processes sharing the storage, over its
   * notification channel (PostgreSQL; a storage without one, or not shared between processes,
   * ignores it). `'when-watched'`: only while an engine on the storage has a `remote:task`
   * subscriber, such as a monitor's live-event stream, and up to 35 s after it left (no cost
   * otherwise); `'always'`; `'off'`. Other engines' events arrive as `remote:task` in every mode.
   * @defaultValue 'when-watched'
   */
  eventFeed?: EventFeedMode;
  /**
   * Tracing and metrics of dispatches and attempts, e.g. `openTelemetry()` of
   * `@evertask/opentelemetry` (spans linked across processes through the trace context stored with
   * each task; queue depth, latency, duration and outcome metrics). Without it the engine makes no
   * telemetry call at all. @defaultValue none
   */
  instrumentation?: TaskInstrumentation;
}

export interface ResolvedQueue {
  name: string;
  concurrency: number;
  capacity: number;
  whenFull: WhenFull;
  timeoutMs: number | undefined;
  retry: RetryPolicy | undefined;
}

export interface ResolvedOptions {
  storage: TaskStorage | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  tasks: Map<string, TaskDefinition<any>>;
  queues: Map<string, ResolvedQueue>;
  retry: RetryPolicy;
  timeoutMs: number | undefined;
  auditLevel: AuditLevel;
  logs: ResolvedLogCapture;
  logger: Logger;
  clock: Clock;
  codec: PayloadCodec;
  instanceId: string;
  /** The user gave `instanceId` (so it is stable across restarts). */
  stableInstanceId: boolean;
  leaseMs: number;
  heartbeatMs: number;
  sweepMs: number;
  poisonAttempts: number;
  stopTimeoutMs: number;
  maxPayloadBytes: number;
  /** Undefined when retention is off. */
  retention: ResolvedRetention | undefined;
  eventFeed: EventFeedMode;
  /** Guarded (a throwing call is logged and skipped); undefined when not configured. */
  instrumentation: TaskInstrumentation | undefined;
}

const ENGINE_KEYS = optionKeys<EverTaskOptions>({
  storage: true,
  tasks: true,
  queues: true,
  defaults: true,
  logger: true,
  clock: true,
  payloadCodec: true,
  instanceId: true,
  lease: true,
  heartbeat: true,
  sweepInterval: true,
  poisonAttempts: true,
  stopTimeout: true,
  maxPayloadBytes: true,
  retention: true,
  eventFeed: true,
  instrumentation: true,
});
const QUEUE_KEYS = optionKeys<QueueOptions>({ concurrency: true, capacity: true, whenFull: true, timeout: true, retry: true });
const DEFAULTS_KEYS = optionKeys<EngineDefaults>({ retry: true, timeout: true, auditLevel: true, logs: true });
const LOG_CAPTURE_KEYS = optionKeys<LogCaptureOptions>({ enabled: true, minLevel: true, maxPerTask: true, maxMessageLength: true });

const QUEUE_NAME_RE = /^[A-Za-z0-9._:\-/]{1,100}$/;

function positiveInteger(value: unknown, what: string): number {
  if (!Number.isInteger(value) || (value as number) < 1) {
    throw new InvalidArgumentError(`${what} must be a positive integer; received ${describeValue(value)}.`);
  }
  return value as number;
}

export function checkAuditLevel(value: unknown, what: string): asserts value is AuditLevel {
  if (!AUDIT_LEVELS.includes(value as AuditLevel)) {
    throw new InvalidArgumentError(`${what} must be one of ${AUDIT_LEVELS.join(', ')}; received ${describeValue(value)}.`);
  }
}

/** Throws unless `name` is a valid queue name: 1–100 characters of letters, digits and `._:-/`. */
export function checkQueueName(name: string): void {
  if (!QUEUE_NAME_RE.test(name)) {
    throw new InvalidArgumentError(`Queue name ${describeValue(name)} must be 1–100 characters of letters, digits and ._:-/.`);
  }
}

function resolveQueue(name: string, options: QueueOptions | undefined, builtIn: boolean, cpuDefault: number): ResolvedQueue {
  checkQueueName(name);
  const o = options ?? {};
  checkOptionsObject(o, QUEUE_KEYS, `queues.${name}`);
  const whenFull = o.whenFull ?? (builtIn ? 'wait' : 'fallback');
  if (!['wait', 'fallback', 'throw'].includes(whenFull)) {
    throw new InvalidArgumentError(`queues.${name}.whenFull must be 'wait', 'fallback' or 'throw'; received ${describeValue(whenFull)}.`);
  }
  if (o.retry !== undefined) checkRetryPolicy(o.retry, `queues.${name}.retry`);
  return {
    name,
    concurrency: positiveInteger(o.concurrency ?? (builtIn ? cpuDefault : 1), `queues.${name}.concurrency`),
    capacity: positiveInteger(o.capacity ?? (builtIn ? 1000 : 500), `queues.${name}.capacity`),
    whenFull,
    timeoutMs: optionalMilliseconds(o.timeout, `queues.${name}.timeout`),
    retry: o.retry,
  };
}

/** Validates the options and fills in every default, in one place. */
export function resolveOptions(options: EverTaskOptions, cpuCount: number): ResolvedOptions {
  if (!options || typeof options !== 'object') throw new InvalidArgumentError('new EverTask() takes an options object with at least "tasks".');
  checkOptionsObject(options, ENGINE_KEYS, 'EverTask options');
  if (!Array.isArray(options.tasks)) throw new InvalidArgumentError('EverTask option "tasks" must be an array of task definitions (defineTask(...)).');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const tasks = new Map<string, TaskDefinition<any>>();
  for (const [i, def] of options.tasks.entries()) {
    if (!def || typeof def.name !== 'string' || !def.options) {
      throw new InvalidArgumentError(`tasks[${i}] is not a task definition; create it with defineTask({ name, handler }).`);
    }
    if (tasks.has(def.name)) throw new DuplicateTaskError(def.name);
    tasks.set(def.name, def);
  }
  const cpuDefault = Math.max(4, cpuCount * 2);
  const queues = new Map<string, ResolvedQueue>();
  const configured = options.queues ?? {};
  if (configured === null || typeof configured !== 'object') throw new InvalidArgumentError('EverTask option "queues" must be an object of { name: options }.');
  queues.set('default', resolveQueue('default', configured.default, true, cpuDefault));
  queues.set('recurring', resolveQueue('recurring', configured.recurring ?? configured.default, true, cpuDefault));
  for (const [name, q] of Object.entries(configured)) {
    if (name === 'default' || name === 'recurring') continue;
    queues.set(name, resolveQueue(name, q, false, cpuDefault));
  }
  for (const def of tasks.values()) {
    if (def.options.queue !== undefined && !queues.has(def.options.queue)) {
      throw new InvalidArgumentError(
        `Task "${def.name}" uses queue "${def.options.queue}", which is not configured; add it under "queues".`,
      );
    }
  }
  const d = options.defaults ?? {};
  checkOptionsObject(d, DEFAULTS_KEYS, 'defaults');
  if (d.retry !== undefined) checkRetryPolicy(d.retry, 'defaults.retry');
  const auditLevel = d.auditLevel ?? 'full';
  checkAuditLevel(auditLevel, 'defaults.auditLevel');
  const logs = d.logs ?? {};
  checkOptionsObject(logs, LOG_CAPTURE_KEYS, 'defaults.logs');
  if (logs.enabled !== undefined && typeof logs.enabled !== 'boolean') {
    throw new InvalidArgumentError(`defaults.logs.enabled must be true or false; received ${describeValue(logs.enabled)}.`);
  }
  const minLevel = logs.minLevel ?? 'information';
  if (!LOG_LEVELS.includes(minLevel)) {
    throw new InvalidArgumentError(`defaults.logs.minLevel must be one of ${LOG_LEVELS.join(', ')}; received ${describeValue(minLevel)}.`);
  }
  const leaseMs = toMilliseconds(options.lease ?? '30s', 'lease');
  if (leaseMs < 100) throw new InvalidArgumentError(`lease must be at least 100 ms; received ${leaseMs} ms.`);
  const heartbeatMs = optionalMilliseconds(options.heartbeat, 'heartbeat') ?? Math.floor(leaseMs / 3);
  if (heartbeatMs <= 0 || heartbeatMs >= leaseMs) {
    throw new InvalidArgumentError(`heartbeat (${heartbeatMs} ms) must be positive and shorter than lease (${leaseMs} ms).`);
  }
  const sweepMs = toMilliseconds(options.sweepInterval ?? '5s', 'sweepInterval');
  if (sweepMs < 10) throw new InvalidArgumentError(`sweepInterval must be at least 10 ms; received ${sweepMs} ms.`);
  const instanceId = options.instanceId ?? `${hostname()}:${process.pid}:${uuidv7().slice(-12)}`;
  if (typeof instanceId !== 'string' || instanceId.length === 0 || instanceId.length > 200) {
    throw new InvalidArgumentError(`instanceId must be a string of 1–200 characters; received ${describeValue(instanceId)}.`);
  }
  const logger = options.logger === undefined ? consoleWarningsLogger : resolveLogger(options.logger);
  const instrumentation = resolveInstrumentation(options.instrumentation);
  return {
    storage: options.storage,
    tasks,
    queues,
    retry: d.retry ?? linearRetry(3, 500),
    timeoutMs: optionalMilliseconds(d.timeout, 'defaults.timeout'),
    auditLevel,
    logs: {
      enabled: logs.enabled ?? false,
      minLevel,
      maxPerTask: positiveInteger(logs.maxPerTask ?? 1000, 'defaults.logs.maxPerTask'),
      maxMessageLength: positiveInteger(logs.maxMessageLength ?? 4000, 'defaults.logs.maxMessageLength'),
    },
    logger,
    clock: options.clock ?? systemClock,
    codec: options.payloadCodec ?? jsonPayloadCodec,
    instanceId,
    stableInstanceId: options.instanceId !== undefined,
    leaseMs,
    heartbeatMs,
    sweepMs,
    poisonAttempts: positiveInteger(options.poisonAttempts ?? 5, 'poisonAttempts'),
    stopTimeoutMs: toMilliseconds(options.stopTimeout ?? '30s', 'stopTimeout'),
    maxPayloadBytes: positiveInteger(options.maxPayloadBytes ?? 1_048_576, 'maxPayloadBytes'),
    retention: resolveRetention(options.retention),
    eventFeed: resolveEventFeed(options.eventFeed),
    instrumentation:
      instrumentation &&
      guardInstrumentation(instrumentation, (message, error) => logger.error(`${message}${error === undefined ? '' : `: ${toError(error).message}`}`, error === undefined ? undefined : { error: toError(error) })),
  };
}
