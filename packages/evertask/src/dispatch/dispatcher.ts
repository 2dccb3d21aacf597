import type { TaskDefinition } from '../define-task.js';
import type { AnyTask, EngineContext, LocalQueue } from '../engine-context.js';
import type { ResolvedOptions } from '../options.js';
import type { AuditLevel } from '../ports/task-record.js';
import type { RecurringRegistration } from '../recurring/recurring-task.js';
import type { DispatchManyOptions, DispatchOptions } from './dispatch-options.js';
import { checkAuditLevel } from '../options.js';
import { checkInstant, toMilliseconds } from '../duration.js';
import { checkOptionsObject, optionKeys } from '../option-keys.js';
import {
  InvalidArgumentError,
  InvalidPayloadError,
  UnknownQueueError,
  UnknownTaskError,
  toError,
} from '../errors.js';
import { PayloadEncodingError } from '../serialization/payload-codec.js';
import { checkPayload } from '../serialization/payload-validation.js';
import { uuidv7 } from '../ids.js';
import { newStoredTask } from '../storage/stored-task.js';
import { registerSchedule } from '../recurring/recurring-task.js';
import { KeyedDispatch } from './keyed-dispatch.js';
import { TaskRouter } from './task-router.js';
import type { PreparedTask } from './prepared-task.js';
import type { DispatchScope, TaskInstrumentation } from '../instrumentation.js';
import { describeValue } from '../describe-value.js';

const DISPATCH_CHUNK = 1000;

const DISPATCH_KEYS = optionKeys<DispatchOptions>({
  delay: true,
  runAt: true,
  taskKey: true,
  queue: true,
  auditLevel: true,
  recurring: true,
  tx: true,
});
const DISPATCH_MANY_KEYS = DISPATCH_KEYS.filter((key) => key !== 'taskKey' && key !== 'recurring');

interface DispatchPlan {
  now: number;
  dueAt: number;
  scheduledAt: number | null;
  queueName: string;
  auditLevel: AuditLevel;
}

/**
 * Prepares dispatches: option checks, payload validation and encoding, the record to store.
 * Keyed dispatches go on through `KeyedDispatch`, every dispatch ends in `TaskRouter`.
 * Internal to the engine.
 */
export class Dispatcher {
  readonly #ctx: EngineContext;
  readonly #options: ResolvedOptions;
  readonly #router: TaskRouter;
  readonly #keyed: KeyedDispatch;

  constructor(ctx: EngineContext) {
    this.#ctx = ctx;
    this.#options = ctx.options;
    this.#router = new TaskRouter(ctx);
    this.#keyed = new KeyedDispatch(ctx, this.#router);
  }

  /** What `EverTask.dispatch` does: checks, prepares, stores and routes one task. */
  async dispatch<P>(task: TaskDefinition<P>, payload: P, options: DispatchOptions = {}): Promise<string> {
    this.#ctx.requireRunning('dispatch');
    const def = this.#definition(task);
    checkOptionsObject(options, DISPATCH_KEYS, 'dispatch options');
    let registration: RecurringRegistration | undefined;
    if (options.recurring !== undefined) {
      if (options.delay !== undefined || options.runAt !== undefined) {
        throw new InvalidArgumentError('A recurring dispatch takes no delay or runAt; use runDelayed()/runAt() in the schedule builder.');
      }
      registration = registerSchedule(options.recurring, this.#options.clock.now());
    }
    const ready = this.#prepare(def, payload, options, registration);
    const prepared = ready instanceof Promise ? await ready : ready;
    const instrumentation = this.#options.instrumentation;
    if (instrumentation !== undefined) return this.#traced(instrumentation, prepared, options, registration);
    if (options.taskKey !== undefined) return this.#keyed.dispatch(prepared, options.taskKey, registration, options);
    return this.#router.insertAndRoute(prepared, options);
  }

  /** `dispatch` with an instrumentation: its scope's trace context is stored with the task. */
  async #traced(instrumentation: TaskInstrumentation, prepared: PreparedTask, options: DispatchOptions, registration: RecurringRegistration | undefined): Promise<string> {
    const record = prepared.record;
    const scope = instrumentation.startDispatch({
      taskName: record.name,
      queue: record.queue,
      taskId: record.id,
      count: 1,
      taskKey: options.taskKey ?? null,
      dueAt: record.dueAt ?? record.createdAt,
      recurring: record.recurring !== null,
    });
    record.traceContext = scope.traceContext;
    try {
      const id =
        options.taskKey !== undefined
          ? await this.#keyed.dispatch(prepared, options.taskKey, registration, options)
          : await this.#router.insertAndRoute(prepared, options);
      scope.end(undefined);
      return id;
    } catch (error) {
      scope.end(toError(error));
      throw error;
    }
  }

  /** What `EverTask.dispatchMany` does: the batch is stored in chunks, each a single storage write. */
  async dispatchMany<P>(task: TaskDefinition<P>, payloads: readonly P[], options: DispatchManyOptions = {}): Promise<string[]> {
    this.#ctx.requireRunning('dispatchMany');
    const def = this.#definition(task);
    if (!Array.isArray(payloads)) throw new InvalidArgumentError('dispatchMany takes an array of payloads.');
    checkOptionsObject(options, DISPATCH_KEYS, 'dispatchMany options');
    if ((options as DispatchOptions).taskKey !== undefined || (options as DispatchOptions).recurring !== undefined) {
      throw new InvalidArgumentError('dispatchMany does not take taskKey or recurring; dispatch those one at a time.');
    }
    checkOptionsObject(options, DISPATCH_MANY_KEYS, 'dispatchMany options');
    const prepared: PreparedTask[] = [];
    const plan = this.#plan(def, options); // one plan (times, queue, audit level) for the batch
    for (let i = 0; i < payloads.length; i++) {
      try {
        // no await per payload unless a schema needs one
        const value = def.schema ? await checkPayload(def.name, def.schema, payloads[i]) : payloads[i];
        prepared.push(this.#build(def, value, plan, undefined));
      } catch (error) {
        if (error instanceof InvalidPayloadError) {
          throw new InvalidPayloadError(def.name, error.issues.map((x) => ({ ...x, path: x.path ? `[${i}].${x.path}` : `[${i}]` })));
        }
        throw error;
      }
    }
    const scope = this.#startBatch(prepared, plan);
    try {
      const ids = await this.#storeBatch(prepared, options);
      scope?.end(undefined);
      return ids;
    } catch (error) {
      scope?.end(toError(error));
      throw error;
    }
  }

  /** With an instrumentation: one dispatch scope for the batch, its trace context on every task. */
  #startBatch(prepared: readonly PreparedTask[], plan: DispatchPlan): DispatchScope | undefined {
    const instrumentation = this.#options.instrumentation;
    const first = prepared[0]?.record;
    if (instrumentation === undefined || first === undefined) return undefined;
    const scope = instrumentation.startDispatch({
      taskName: first.name,
      queue: plan.queueName,
      taskId: first.id,
      count: prepared.length,
      taskKey: null,
      dueAt: plan.dueAt,
      recurring: false,
    });
    for (const p of prepared) p.record.traceContext = scope.traceContext;
    return scope;
  }

  /** Stores a batch in chunks, each a single storage write, and routes what is due. */
  async #storeBatch(prepared: readonly PreparedTask[], options: DispatchManyOptions): Promise<string[]> {
    const ids: string[] = [];
    for (let start = 0; start < prepared.length; start += DISPATCH_CHUNK) {
      const chunk = prepared.slice(start, start + DISPATCH_CHUNK);
      const now = this.#options.clock.now();
      const budget = new Map<string, number>();
      const records = chunk.map((p) => {
        const queue = this.#ctx.queues.get(p.record.queue) as LocalQueue;
        const left = budget.get(queue.name) ?? Math.min(queue.space, queue.appetite);
        if (p.record.dueAt === null || p.record.dueAt > now || left <= 0 || options.tx !== undefined || this.#ctx.pauses.isPaused(queue.name)) return p.record;
        budget.set(queue.name, left - 1);
        return this.#router.leaseLocally(p.record, now, queue);
      });
      await this.#router.persist(records, options);
      let due = false;
      for (const r of records) {
        ids.push(r.id);
        if (this.#router.routeStored(r, true)) due = true;
      }
      if (due) {
        this.#ctx.claims.claimSoon();
      }
    }
    return ids;
  }

  /** Checks and validates a dispatch and builds its record (at once, unless a schema must be awaited). */
  #prepare(def: AnyTask, payload: unknown, options: DispatchOptions, registration?: RecurringRegistration): PreparedTask | Promise<PreparedTask> {
    const plan = this.#plan(def, options, registration);
    if (!def.schema) return this.#build(def, payload, plan, registration);
    return checkPayload(def.name, def.schema, payload).then((value) => this.#build(def, value, plan, registration));
  }

  /** Checks the dispatch options and works out when and where the task runs. */
  #plan(def: AnyTask, options: DispatchOptions, registration?: RecurringRegistration): DispatchPlan {
    const now = this.#options.clock.now();
    let dueAt = now;
    let scheduledAt: number | null = null;
    if (options.delay !== undefined && options.runAt !== undefined) {
      throw new InvalidArgumentError('dispatch takes either delay or runAt, not both.');
    }
    if (options.delay !== undefined) {
      const delay = toMilliseconds(options.delay, 'delay');
      dueAt = checkInstant(now + delay, 'delay');
      scheduledAt = delay > 0 ? dueAt : null;
    } else if (options.runAt !== undefined) {
      if (!(options.runAt instanceof Date) || Number.isNaN(options.runAt.getTime())) {
        throw new InvalidArgumentError(`runAt must be a valid Date; received ${describeValue(options.runAt)}.`);
      }
      scheduledAt = checkInstant(options.runAt.getTime(), 'runAt');
      dueAt = Math.max(now, scheduledAt);
    }
    if (registration) {
      scheduledAt = registration.first;
      dueAt = Math.max(now, registration.first);
    }
    const queueName = options.queue ?? def.options.queue ?? (registration ? 'recurring' : 'default');
    if (!this.#ctx.queues.has(queueName)) throw new UnknownQueueError(queueName, [...this.#ctx.queues.keys()]);
    const auditLevel = options.auditLevel ?? this.#options.auditLevel;
    checkAuditLevel(auditLevel, 'auditLevel');
    return { now, dueAt, scheduledAt, queueName, auditLevel };
  }

  /** Builds the record of a payload that passed its schema (or has none). */
  #build(def: AnyTask, value: unknown, plan: DispatchPlan, registration: RecurringRegistration | undefined): PreparedTask {
    const { now, dueAt, scheduledAt, queueName, auditLevel } = plan;
    let text: string;
    try {
      text = this.#options.codec.serialize(value);
    } catch (error) {
      const path = error instanceof PayloadEncodingError ? error.path : '';
      throw new InvalidPayloadError(def.name, [{ path, message: toError(error).message }]);
    }
    const bytes = text.length * 3 <= this.#options.maxPayloadBytes ? 0 : Buffer.byteLength(text, 'utf8');
    if (bytes > this.#options.maxPayloadBytes) {
      const message = `the serialized payload is ${bytes} bytes, over maxPayloadBytes (${this.#options.maxPayloadBytes}); store large data elsewhere and pass a reference, or raise maxPayloadBytes`;
      throw new InvalidPayloadError(def.name, [{ path: '', message }]);
    }
    const record = newStoredTask({
      id: uuidv7(now),
      name: def.name,
      payload: text,
      queue: queueName,
      auditLevel,
      createdAt: now,
      scheduledAt,
      dueAt,
      recurring: registration?.text ?? null,
      recurringInfo: registration?.description ?? null,
      maxRuns: registration?.schedule.maxRuns ?? null,
      runUntil: registration?.schedule.runUntil ?? null,
    });
    return { def, record };
  }

  #definition(task: AnyTask): AnyTask {
    if (!task || typeof task.name !== 'string') throw new InvalidArgumentError('dispatch takes a task definition created with defineTask().');
    const def = this.#options.tasks.get(task.name);
    if (!def) throw new UnknownTaskError(task.name);
    return def;
  }
}
