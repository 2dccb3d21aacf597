import type { TaskDefinition } from '../define-task.js';
import type { AnyTask, EngineContext } from '../engine-context.js';
import type { ResolvedOptions } from '../options.js';
import type { AuditLevel, StoredTask } from '../ports/task-record.js';
import type { RecurringRegistration } from '../recurring/recurring-task.js';
import type { QueueRunner } from '../worker/queue-runner.js';
import type { DispatchManyOptions, DispatchOptions } from './dispatch-options.js';
import { assertAuditLevel } from '../options.js';
import { toMilliseconds } from '../duration.js';
import {
  InvalidArgumentError,
  InvalidPayloadError,
  QueueFullError,
  StorageError,
  TaskKeyConflictError,
  UnknownQueueError,
  UnknownTaskError,
  toError,
} from '../errors.js';
import { PayloadEncodingError } from '../serialization/payload-codec.js';
import { validatePayload } from '../worker/payload-validation.js';
import { shouldAuditStatus } from '../audit/audit-policy.js';
import { TERMINAL_STATUSES } from '../state-machine.js';
import { uuidv7 } from '../ids.js';
import { newStoredTask } from '../storage/stored-task.js';
import { registerSchedule } from '../recurring/recurring-task.js';
import { KeyedDispatch } from './keyed-dispatch.js';

const DISPATCH_CHUNK = 1000;

interface DispatchPlan {
  now: number;
  dueAt: number;
  scheduledAt: number | null;
  queueName: string;
  auditLevel: AuditLevel;
}

/** A dispatch that passed its checks: its definition and the record to store. */
export interface PreparedTask {
  def: AnyTask;
  record: StoredTask;
}

/**
 * Prepares, persists and routes dispatches: option checks, payload validation and encoding, the
 * full-queue behaviour, leasing an immediate task locally so that it needs no claim, and handing
 * stored tasks to a queue or the scheduler. Keyed dispatches go through `KeyedDispatch`.
 * Internal to the engine.
 */
export class Dispatcher {
  readonly #ctx: EngineContext;
  readonly #o: ResolvedOptions;
  readonly #keyed: KeyedDispatch;

  constructor(ctx: EngineContext) {
    this.#ctx = ctx;
    this.#o = ctx.options;
    this.#keyed = new KeyedDispatch(ctx, this);
  }

  /** What `EverTask.dispatch` does: checks, prepares, stores and routes one task. */
  async dispatch<P>(task: TaskDefinition<P>, payload: P, options: DispatchOptions = {}): Promise<string> {
    this.#ctx.assertRunning('dispatch');
    const def = this.#definition(task);
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('dispatch options must be an object.');
    let registration: RecurringRegistration | undefined;
    if (options.recurring !== undefined) {
      if (options.delay !== undefined || options.runAt !== undefined) {
        throw new InvalidArgumentError('A recurring dispatch takes no delay or runAt; use runDelayed()/runAt() in the schedule builder.');
      }
      registration = registerSchedule(options.recurring, this.#o.clock.now());
    }
    const prepared = await this.#prepare(def, payload, options, registration);
    const key = options.taskKey;
    if (key !== undefined && key !== null && String(key).trim() !== '') {
      return this.#keyed.dispatch(prepared, key, registration, options);
    }
    return this.insertAndRoute(prepared, options);
  }

  /** What `EverTask.dispatchMany` does: the batch is stored in chunks, each a single storage write. */
  async dispatchMany<P>(task: TaskDefinition<P>, payloads: readonly P[], options: DispatchManyOptions = {}): Promise<string[]> {
    this.#ctx.assertRunning('dispatchMany');
    const def = this.#definition(task);
    if (!Array.isArray(payloads)) throw new InvalidArgumentError('dispatchMany takes an array of payloads.');
    if ((options as DispatchOptions).taskKey !== undefined || (options as DispatchOptions).recurring !== undefined) {
      throw new InvalidArgumentError('dispatchMany does not take taskKey or recurring; dispatch those one at a time.');
    }
    const prepared: PreparedTask[] = [];
    const plan = this.#plan(def, options); // one plan (times, queue, audit level) for the batch
    for (let i = 0; i < payloads.length; i++) {
      try {
        // no await per payload unless a schema needs one
        const value = def.schema ? await validatePayload(def.name, def.schema, payloads[i]) : payloads[i];
        prepared.push(this.#build(def, value, plan, undefined));
      } catch (error) {
        if (error instanceof InvalidPayloadError) {
          throw new InvalidPayloadError(def.name, error.issues.map((x) => ({ ...x, path: x.path ? `[${i}].${x.path}` : `[${i}]` })));
        }
        throw error;
      }
    }
    const ids: string[] = [];
    for (let start = 0; start < prepared.length; start += DISPATCH_CHUNK) {
      const chunk = prepared.slice(start, start + DISPATCH_CHUNK);
      const now = this.#o.clock.now();
      const budget = new Map<string, number>();
      const records = chunk.map((p) => {
        const queue = this.#ctx.queues.get(p.record.queue) as QueueRunner;
        const left = budget.get(queue.name) ?? Math.min(queue.space, queue.appetite);
        if (p.record.dueAt === null || p.record.dueAt > now || left <= 0 || options.tx !== undefined) return p.record;
        budget.set(queue.name, left - 1);
        return this.#leaseLocally(p.record, now, queue);
      });
      await this.#persist(records, options);
      let due = false;
      for (const r of records) {
        ids.push(r.id);
        if (this.routeStored(r, true)) due = true;
      }
      if (due) {
        this.#ctx.claimSoon();
      }
    }
    return ids;
  }

  /** Checks and validates a dispatch and builds its record. */
  async #prepare(def: AnyTask, payload: unknown, options: DispatchOptions, registration?: RecurringRegistration): Promise<PreparedTask> {
    const plan = this.#plan(def, options, registration);
    const value = def.schema ? await validatePayload(def.name, def.schema, payload) : payload;
    return this.#build(def, value, plan, registration);
  }

  /** Checks the dispatch options and works out when and where the task runs. */
  #plan(def: AnyTask, options: DispatchOptions, registration?: RecurringRegistration): DispatchPlan {
    const now = this.#o.clock.now();
    let dueAt = now;
    let scheduledAt: number | null = null;
    if (options.delay !== undefined && options.runAt !== undefined) {
      throw new InvalidArgumentError('dispatch takes either delay or runAt, not both.');
    }
    if (options.delay !== undefined) {
      const delay = toMilliseconds(options.delay, 'delay');
      dueAt = now + delay;
      scheduledAt = delay > 0 ? dueAt : null;
    } else if (options.runAt !== undefined) {
      if (!(options.runAt instanceof Date) || Number.isNaN(options.runAt.getTime())) {
        throw new InvalidArgumentError(`runAt must be a valid Date; received ${String(options.runAt)}.`);
      }
      scheduledAt = options.runAt.getTime();
      dueAt = Math.max(now, scheduledAt);
    }
    if (registration) {
      scheduledAt = registration.first;
      dueAt = Math.max(now, registration.first);
    }
    const queueName = options.queue ?? def.options.queue ?? (registration ? 'recurring' : 'default');
    if (!this.#ctx.queues.has(queueName)) throw new UnknownQueueError(queueName, [...this.#ctx.queues.keys()]);
    const auditLevel = options.auditLevel ?? this.#o.auditLevel;
    assertAuditLevel(auditLevel, 'auditLevel');
    return { now, dueAt, scheduledAt, queueName, auditLevel };
  }

  /** Builds the record of a payload that passed its schema (or has none). */
  #build(def: AnyTask, value: unknown, plan: DispatchPlan, registration: RecurringRegistration | undefined): PreparedTask {
    const { now, dueAt, scheduledAt, queueName, auditLevel } = plan;
    let text: string;
    try {
      text = this.#o.codec.serialize(value);
    } catch (error) {
      const path = error instanceof PayloadEncodingError ? error.path : '';
      throw new InvalidPayloadError(def.name, [{ path, message: toError(error).message }]);
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

  /** Marks a freshly prepared (not yet stored) record as taken by this instance. */
  #leaseLocally(record: StoredTask, now: number, queue: QueueRunner): StoredTask {
    record.queue = queue.name;
    record.status = 'queued';
    record.leaseOwner = this.#o.instanceId;
    record.leaseExpiresAt = now + this.#o.leaseMs;
    return record;
  }

  /**
   * Stores records (in the caller's transaction with `tx`) and emits `task:dispatched`. With
   * `replacing`, the one record replaces that finished task in one storage call; returns false
   * when it was no longer finished (nothing stored).
   */
  async #persist(records: StoredTask[], options: DispatchOptions, replacing?: string): Promise<boolean> {
    const audit = records.length > 0 && shouldAuditStatus(records[0]?.auditLevel ?? 'none', 'waiting', null);
    try {
      if (options.tx !== undefined && !this.#ctx.storage.capabilities.transactionalDispatch) {
        throw new InvalidArgumentError('This storage does not support transactional dispatch (the tx option).');
      }
      if (replacing !== undefined) {
        const replaced = await this.#ctx.storage.replace(replacing, TERMINAL_STATUSES, records[0] as StoredTask, {
          audit,
          ...(options.tx === undefined ? {} : { tx: options.tx }),
        });
        if (!replaced) return false;
      } else if (options.tx !== undefined) {
        await this.#ctx.storage.add(records, { audit, tx: options.tx });
      } else {
        await this.#ctx.writer.add(records, audit);
      }
    } catch (error) {
      if (error instanceof InvalidArgumentError || error instanceof TaskKeyConflictError || error instanceof StorageError) throw error;
      throw new StorageError(`Could not store the task: ${toError(error).message}`, { cause: error });
    }
    if (!this.#ctx.emitter.has('task:dispatched')) return true;
    for (const r of records) {
      this.#ctx.emitter.emit('task:dispatched', {
        taskId: r.id,
        taskName: r.name,
        queue: r.queue,
        at: r.createdAt,
        dueAt: r.dueAt ?? r.createdAt,
        taskKey: r.taskKey,
      });
    }
    return true;
  }

  /** Routes an immediate task through the full-queue behaviour, persists it, and hands it to a worker. */
  async insertAndRoute(prepared: PreparedTask, options: DispatchOptions): Promise<string> {
    return (await this.#storeAndRoute(prepared, options, undefined)) as string;
  }

  /**
   * What `insertAndRoute` does, the record replacing the finished task `previousId` in one storage
   * call (which keeps its history under the new task). Resolves undefined, storing nothing, when
   * `previousId` is no longer finished (another dispatch replaced it meanwhile).
   */
  replaceAndRoute(previousId: string, prepared: PreparedTask, options: DispatchOptions): Promise<string | undefined> {
    return this.#storeAndRoute(prepared, options, previousId);
  }

  async #storeAndRoute(prepared: PreparedTask, options: DispatchOptions, replacing: string | undefined): Promise<string | undefined> {
    let record = prepared.record;
    const now = this.#o.clock.now();
    const inTx = options.tx !== undefined;
    if (record.dueAt !== null && record.dueAt <= now && !inTx) {
      let queue = this.#ctx.queues.get(record.queue) as QueueRunner;
      if (queue.space === 0) {
        const mode = queue.config.whenFull;
        if (mode === 'throw') {
          if (!(await this.#persist([record], options, replacing))) return undefined;
          this.#ctx.markMaybeDue();
          throw new QueueFullError(queue.name, record.id, queue.config.capacity);
        }
        if (mode === 'fallback' && queue.name !== 'default') {
          this.#o.logger.warn(`Queue "${queue.name}" is full; task ${record.id} runs on the default queue.`);
          queue = this.#ctx.queues.get('default') as QueueRunner;
        }
        await queue.waitForSpace();
        this.#ctx.assertRunning('dispatch');
      }
      record = this.#leaseLocally(record, this.#o.clock.now(), queue);
    }
    if (!(await this.#persist([record], options, replacing))) return undefined;
    this.routeStored(record);
    return record.id;
  }

  /**
   * After a successful insert: hand a locally leased task to its queue, or remember when a waiting
   * one is due. A waiting task due now starts a claim, or with `deferClaim` returns true so that
   * the caller claims once for a whole batch.
   */
  routeStored(record: StoredTask, deferClaim = false): boolean {
    if (record.status === 'queued' && record.leaseOwner === this.#o.instanceId) {
      (this.#ctx.queues.get(record.queue) as QueueRunner).push(record);
    } else if (record.dueAt !== null) {
      if (record.dueAt <= this.#o.clock.now()) {
        if (deferClaim) return true;
        this.#ctx.claimSoon();
      } else {
        this.#ctx.scheduler.schedule(record.id, record.dueAt);
      }
    }
    return false;
  }

  #definition(task: AnyTask): AnyTask {
    if (!task || typeof task.name !== 'string') throw new InvalidArgumentError('dispatch takes a task definition created with defineTask().');
    const def = this.#o.tasks.get(task.name);
    if (!def) throw new UnknownTaskError(task.name);
    return def;
  }
}
