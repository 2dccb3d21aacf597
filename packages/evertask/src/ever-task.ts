import { availableParallelism } from 'node:os';
import type { TaskDefinition } from './define-task.js';
import type { DispatchManyOptions, DispatchOptions } from './dispatch/dispatch-options.js';
import type { EverTaskEventName, EverTaskEvents, EverTaskListener } from './events.js';
import type { EverTaskOptions, ResolvedOptions } from './options.js';
import type { AuditLevel, StoredTask, TaskStatus } from './ports/task-record.js';
import type { TaskStorage, TaskFilter, TaskPage } from './ports/task-storage.js';
import type { TaskInfo } from './task-info.js';
import { TypedEmitter } from './events.js';
import { resolveOptions, assertAuditLevel } from './options.js';
import { toMilliseconds } from './duration.js';
import {
  EngineStateError,
  InvalidArgumentError,
  InvalidPayloadError,
  QueueFullError,
  StorageError,
  TaskKeyConflictError,
  UnknownQueueError,
  UnknownTaskError,
  toError,
} from './errors.js';
import { PayloadEncodingError } from './serialization/payload-codec.js';
import { validatePayload } from './worker/payload-validation.js';
import { WriteCoalescer } from './dispatch/write-coalescer.js';
import { DueScheduler } from './scheduler/due-scheduler.js';
import { QueueRunner } from './worker/queue-runner.js';
import { Claimer } from './scheduler/claimer.js';
import { RunFinisher } from './worker/run-finisher.js';
import { TaskRunner } from './worker/task-runner.js';
import type { EngineContext } from './engine-context.js';
import type { TaskExecution } from './worker/task-execution.js';
import { shouldAuditStatus } from './audit/audit-policy.js';
import { allowedSources, isTerminal } from './state-machine.js';
import { toTaskInfo } from './task-info.js';
import { uuidv7 } from './ids.js';
import { newStoredTask } from './storage/stored-task.js';
import {
  reRegisteredNext,
  registerSchedule,
  scheduleIdentity,
  storedSchedule,
  type RecurringRegistration,
} from './recurring/recurring-task.js';
import { MemoryStorage } from './storage/memory/memory-storage.js';

type EngineState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyTask = TaskDefinition<any>;

/** Options of `stop`. */
export interface StopOptions {
  /** How long running tasks may finish before they are aborted. @defaultValue the engine's `stopTimeout` ('30s') */
  timeout?: number | string;
  /** Also close the storage. @defaultValue false (so `getTask` keeps working) */
  closeStorage?: boolean;
}

/** A recurring series as `recurring()` lists it. */
export interface RecurringSeries {
  id: string;
  name: string;
  taskKey: string | null;
  queue: string;
  status: TaskStatus;
  /** Human-readable schedule, e.g. "every day at 03:00 (Europe/Rome)". */
  description: string | null;
  /** Null once the series is over or cancelled. */
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  lastOutcome: 'completed' | 'failed' | null;
  runCount: number;
  maxRuns: number | null;
  runUntil: Date | null;
}

const TASK_KEY_MAX = 200;
const DISPATCH_CHUNK = 1000;

/**
 * The engine: dispatches tasks, runs them on named queues in this process, and keeps every task
 * and status change in its storage.
 */
export class EverTask {
  readonly #o: ResolvedOptions;
  readonly #storage: TaskStorage;
  readonly #emitter: TypedEmitter;
  readonly #queues = new Map<string, QueueRunner>();
  readonly #writer: WriteCoalescer;
  readonly #scheduler: DueScheduler;
  readonly #running = new Map<string, TaskExecution>();
  readonly #keyLocks = new Map<string, Promise<unknown>>();
  readonly #claimer: Claimer;
  readonly #finisher: RunFinisher;
  readonly #runner: TaskRunner;
  #state: EngineState = 'created';
  #unsubscribe: (() => Promise<void>) | undefined;

  constructor(options: EverTaskOptions) {
    this.#o = resolveOptions(options, availableParallelism());
    this.#storage = this.#o.storage ?? new MemoryStorage();
    this.#emitter = new TypedEmitter((error) =>
      this.#o.logger.error('An event listener threw; the engine carries on.', { error: toError(error) }),
    );
    this.#writer = new WriteCoalescer(this.#storage, this.#o.clock, {
      onError: (operation, error, willRetry) => {
        this.#o.logger.error(`Storage ${operation} failed${willRetry ? '; retrying' : ''}: ${error.message}`, { error });
        this.#emitter.emit('storage:error', { operation, error, willRetry, at: this.#o.clock.now() });
      },
    });
    this.#scheduler = new DueScheduler(this.#o.clock, () => this.#claimSoon());
    const ctx: EngineContext = {
      options: this.#o,
      storage: this.#storage,
      emitter: this.#emitter,
      queues: this.#queues,
      writer: this.#writer,
      scheduler: this.#scheduler,
      running: this.#running,
      isRunning: () => this.#state === 'running',
      assertRunning: (what) => this.#assertRunning(what),
      markMaybeDue: () => this.#claimer.markMaybeDue(),
      claimSoon: () => this.#claimSoon(),
    };
    const claimer = new Claimer(ctx);
    this.#claimer = claimer;
    this.#finisher = new RunFinisher(ctx);
    const runner = new TaskRunner(ctx, this.#finisher);
    this.#runner = runner;
    for (const config of this.#o.queues.values()) {
      this.#queues.set(
        config.name,
        new QueueRunner(config, (task, queue, done) => runner.execute(task, queue, done), () => claimer.onSlotFree()),
      );
    }
  }

  /** This process's identity in leases. */
  get instanceId(): string {
    return this.#o.instanceId;
  }

  /** The storage this engine uses. */
  get storage(): TaskStorage {
    return this.#storage;
  }

  /** Opens the storage and starts taking work, including tasks left by a previous run. */
  async start(): Promise<void> {
    if (this.#state === 'running' || this.#state === 'starting') return;
    if (this.#state === 'stopping') throw new EngineStateError('ERR_STOPPED', 'EverTask is stopping; wait for stop() before starting again.');
    this.#state = 'starting';
    try {
      await this.#storage.open();
      if (this.#storage.capabilities.notifications && this.#storage.subscribe) {
        this.#unsubscribe = await this.#storage.subscribe((n) => {
          if (n.kind === 'task-cancelled' && n.taskId) this.#runner.abortLocal(n.taskId, 'cancel');
          else if (n.kind === 'task-available') {
            if (n.dueAt !== undefined && n.dueAt > this.#o.clock.now()) this.#scheduler.hint(Math.min(n.dueAt, this.#scheduler.nextAt() ?? Infinity));
            else this.#claimSoon();
          }
        });
      }
      if (this.#o.stableInstanceId && this.#storage.capabilities.persistent) await this.#claimer.takeBackOwnLeases();
    } catch (error) {
      this.#state = 'created';
      throw error instanceof StorageError ? error : new StorageError(`Could not open the storage: ${toError(error).message}`, { cause: error });
    }
    this.#state = 'running';
    // started again after stop(): stop() paused the queues and the scheduler
    this.#scheduler.resume();
    for (const queue of this.#queues.values()) queue.resume();
    this.#claimer.start();
    await this.#claimer.claim();
  }

  /**
   * Stops gracefully: no new work is taken, buffered tasks are handed back to the storage,
   * running tasks get `timeout` to finish and are then aborted and stored as `service-stopped`
   * (a persistent storage runs them again at the next start).
   */
  async stop(options: StopOptions = {}): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'created') {
      this.#state = 'stopped';
      if (options.closeStorage) await this.#storage.close();
      return;
    }
    this.#state = 'stopping';
    const timeoutMs = options.timeout === undefined ? this.#o.stopTimeoutMs : toMilliseconds(options.timeout, 'stop timeout');
    this.#claimer.stop();
    this.#scheduler.stop();
    await this.#claimer.idle();
    const now = this.#o.clock.now();
    const handBack: Promise<boolean>[] = [];
    for (const queue of this.#queues.values()) {
      queue.pause();
      for (const task of queue.remove(() => true)) handBack.push(this.#claimer.handBack(task, now));
    }
    if (this.#running.size > 0) {
      let timer: unknown;
      const deadline = new Promise<void>((resolve) => (timer = this.#o.clock.setTimer(resolve, timeoutMs)));
      await Promise.race([this.#finisher.allFinished(), deadline]);
      this.#o.clock.clearTimer(timer);
      for (const id of [...this.#running.keys()]) this.#runner.abortLocal(id, 'shutdown');
    }
    await this.#finisher.allFinished();
    await Promise.allSettled(handBack);
    await this.#writer.drain();
    if (this.#unsubscribe) await this.#unsubscribe().catch(() => undefined);
    this.#state = 'stopped';
    if (options.closeStorage) await this.#storage.close();
  }

  // ---- dispatch --------------------------------------------------------------------------------

  /** Stores a task and runs it now, later, at a time or on a schedule. Resolves with its id once it is stored. */
  async dispatch<P>(task: TaskDefinition<P>, payload: P, options: DispatchOptions = {}): Promise<string> {
    this.#assertRunning('dispatch');
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
      this.#validateTaskKey(key);
      return this.#withKeyLock(key, () =>
        registration ? this.#registerRecurringKeyed(prepared, registration, key, options) : this.#dispatchKeyed(prepared, key, options),
      );
    }
    return this.#insertAndRoute(prepared, options);
  }

  /**
   * Dispatches a batch in as few storage round trips as the storage allows. A bad payload rejects
   * the whole batch before anything is stored. Never blocks on a full queue: what does not fit
   * locally is stored due and taken as workers free up. Returns the ids in order.
   */
  async dispatchMany<P>(task: TaskDefinition<P>, payloads: readonly P[], options: DispatchManyOptions = {}): Promise<string[]> {
    this.#assertRunning('dispatchMany');
    const def = this.#definition(task);
    if (!Array.isArray(payloads)) throw new InvalidArgumentError('dispatchMany takes an array of payloads.');
    if ((options as DispatchOptions).taskKey !== undefined || (options as DispatchOptions).recurring !== undefined) {
      throw new InvalidArgumentError('dispatchMany does not take taskKey or recurring; dispatch those one at a time.');
    }
    const prepared: PreparedTask[] = [];
    for (let i = 0; i < payloads.length; i++) {
      try {
        // no await per payload unless a schema needs one
        const plan = this.#plan(def, options);
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
        const queue = this.#queues.get(p.record.queue) as QueueRunner;
        const left = budget.get(queue.name) ?? Math.min(queue.space, queue.appetite);
        if (p.record.dueAt === null || p.record.dueAt > now || left <= 0 || options.tx !== undefined) return p.record;
        budget.set(queue.name, left - 1);
        return this.#leaseLocally(p.record, now, queue);
      });
      await this.#persist(records, options);
      let due = false;
      for (const r of records) {
        ids.push(r.id);
        if (this.#routeStored(r, true)) due = true;
      }
      if (due) {
        this.#claimSoon();
      }
    }
    return ids;
  }

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
    if (!this.#queues.has(queueName)) throw new UnknownQueueError(queueName, [...this.#queues.keys()]);
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

  async #persist(records: StoredTask[], options: DispatchOptions): Promise<void> {
    const audit = records.length > 0 && shouldAuditStatus(records[0]?.auditLevel ?? 'none', 'waiting', null);
    try {
      if (options.tx !== undefined) {
        if (!this.#storage.capabilities.transactionalDispatch) {
          throw new InvalidArgumentError('This storage does not support transactional dispatch (the tx option).');
        }
        await this.#storage.add(records, { audit, tx: options.tx });
      } else {
        await this.#writer.add(records, audit);
      }
    } catch (error) {
      if (error instanceof InvalidArgumentError || error instanceof TaskKeyConflictError || error instanceof StorageError) throw error;
      throw new StorageError(`Could not store the task: ${toError(error).message}`, { cause: error });
    }
    if (!this.#emitter.has('task:dispatched')) return;
    for (const r of records) {
      this.#emitter.emit('task:dispatched', {
        taskId: r.id,
        taskName: r.name,
        queue: r.queue,
        at: r.createdAt,
        dueAt: r.dueAt ?? r.createdAt,
        taskKey: r.taskKey,
      });
    }
  }

  /** Routes an immediate task through the full-queue behaviour, persists it, and hands it to a worker. */
  async #insertAndRoute(prepared: PreparedTask, options: DispatchOptions): Promise<string> {
    let record = prepared.record;
    const now = this.#o.clock.now();
    const inTx = options.tx !== undefined;
    if (record.dueAt !== null && record.dueAt <= now && !inTx) {
      let queue = this.#queues.get(record.queue) as QueueRunner;
      if (queue.space === 0) {
        const mode = queue.config.whenFull;
        if (mode === 'throw') {
          await this.#persist([record], options);
          this.#claimer.markMaybeDue();
          throw new QueueFullError(queue.name, record.id, queue.config.capacity);
        }
        if (mode === 'fallback' && queue.name !== 'default') {
          this.#o.logger.warn(`Queue "${queue.name}" is full; task ${record.id} runs on the default queue.`);
          queue = this.#queues.get('default') as QueueRunner;
        }
        await queue.waitForSpace();
        this.#assertRunning('dispatch');
      }
      record = this.#leaseLocally(record, this.#o.clock.now(), queue);
    }
    await this.#persist([record], options);
    this.#routeStored(record);
    return record.id;
  }

  /**
   * After a successful insert: hand a locally leased task to its queue, or remember when a waiting
   * one is due. A waiting task due now starts a claim, or with `deferClaim` returns true so that
   * the caller claims once for a whole batch.
   */
  #routeStored(record: StoredTask, deferClaim = false): boolean {
    if (record.status === 'queued' && record.leaseOwner === this.#o.instanceId) {
      (this.#queues.get(record.queue) as QueueRunner).push(record);
    } else if (record.dueAt !== null) {
      if (record.dueAt <= this.#o.clock.now()) {
        if (deferClaim) return true;
        this.#claimSoon();
      } else {
        this.#scheduler.schedule(record.id, record.dueAt);
      }
    }
    return false;
  }

  async #dispatchKeyed(prepared: PreparedTask, key: string, options: DispatchOptions): Promise<string> {
    prepared.record.taskKey = key;
    for (let round = 0; round < 5; round++) {
      const existing = await this.#storageCall('getByTaskKey', () => this.#storage.getByTaskKey(key));
      if (existing) {
        if (existing.recurring !== null) {
          throw new TaskKeyConflictError(key, {
            message: `Task key "${key}" belongs to recurring task ${existing.id}; a one-off dispatch cannot reuse it. Use another key, or cancel the series first.`,
          });
        }
        if (existing.status === 'in-progress' || existing.status === 'queued') {
          this.#o.logger.warn(`Task key "${key}": task ${existing.id} is ${existing.status}; the dispatch is a no-op.`);
          return existing.id;
        }
        if (existing.status === 'waiting' || existing.status === 'service-stopped') {
          const r = prepared.record;
          const updated = await this.#storageCall('update', () =>
            this.#storage.update(
              existing.id,
              { payload: r.payload, queue: r.queue, auditLevel: r.auditLevel, scheduledAt: r.scheduledAt, dueAt: r.dueAt, attempts: 0, error: null },
              ['waiting', 'service-stopped'],
            ),
          );
          if (!updated) continue; // it moved on meanwhile: decide again
          this.#scheduler.unschedule(existing.id);
          this.#routeStored({ ...existing, ...r, id: existing.id, status: existing.status, createdAt: existing.createdAt });
          return existing.id;
        }
        // terminal: replace it with a new task
        await this.#storageCall('remove', () => this.#storage.remove(existing.id));
      }
      try {
        return await this.#insertAndRoute(prepared, options);
      } catch (error) {
        if (error instanceof TaskKeyConflictError) continue; // another process won the race: re-read the winner
        throw error;
      }
    }
    throw new TaskKeyConflictError(key, { message: `Task key "${key}" kept changing under concurrent dispatches; try again.` });
  }

  /**
   * Registers a recurring series under a task key: an existing series is updated in place
   * (schedule, payload, queue) keeping its run count, and keeps its planned next run when the
   * recurrence did not change; it is never duplicated. A running series is left alone.
   */
  async #registerRecurringKeyed(prepared: PreparedTask, registration: RecurringRegistration, key: string, options: DispatchOptions): Promise<string> {
    prepared.record.taskKey = key;
    const now = this.#o.clock.now();
    for (let round = 0; round < 5; round++) {
      const existing = await this.#storageCall('getByTaskKey', () => this.#storage.getByTaskKey(key));
      if (existing && existing.recurring === null && !isTerminal(existing.status)) {
        throw new TaskKeyConflictError(key, {
          message: `Task key "${key}" belongs to one-off task ${existing.id} (${existing.status}); a recurring series cannot take it over. Use another key.`,
        });
      }
      if (existing && existing.recurring !== null && existing.status !== 'cancelled') {
        if (existing.status === 'in-progress') {
          this.#o.logger.warn(`Task key "${key}": recurring task ${existing.id} is running; the registration is a no-op.`);
          return existing.id;
        }
        let sameRecurrence = false;
        try {
          sameRecurrence = scheduleIdentity(storedSchedule(existing)) === registration.identity;
        } catch {
          sameRecurrence = false; // a corrupt stored schedule is replaced by the new one
        }
        const r = prepared.record;
        const definition = { payload: r.payload, queue: r.queue, auditLevel: r.auditLevel, recurring: r.recurring, recurringInfo: r.recurringInfo, maxRuns: r.maxRuns, runUntil: r.runUntil };
        const next = reRegisteredNext(registration.schedule, now, existing.runCount);
        if (!isTerminal(existing.status)) {
          const keepPlan = sameRecurrence && existing.dueAt !== null;
          const dueAt = keepPlan ? existing.dueAt : (next ?? null);
          if (dueAt === null) {
            // the new limits leave nothing to run: end the series
            const applied = await this.#writer.transition({
              id: existing.id, from: ['waiting', 'service-stopped', 'queued'], to: 'completed', at: now,
              patch: { ...definition, dueAt: null, leaseOwner: null, leaseExpiresAt: null },
            });
            if (!applied) continue;
            return existing.id;
          }
          const updated = await this.#storageCall('update', () =>
            this.#storage.update(existing.id, { ...definition, dueAt, scheduledAt: keepPlan ? existing.scheduledAt : dueAt }, ['waiting', 'service-stopped', 'queued']),
          );
          if (!updated) continue;
          if (existing.status !== 'queued') {
            this.#scheduler.unschedule(existing.id);
            this.#routeStored({ ...existing, ...definition, dueAt, status: existing.status });
          }
          return existing.id;
        }
        // the series ended (limits reached): it stays over unless the new limits allow more runs
        if (next === undefined) {
          await this.#storageCall('update', () => this.#storage.update(existing.id, definition));
          return existing.id;
        }
        prepared.record.runCount = existing.runCount;
        prepared.record.dueAt = Math.max(now, next);
        prepared.record.scheduledAt = next;
      }
      if (existing) await this.#storageCall('remove', () => this.#storage.remove(existing.id));
      try {
        return await this.#insertAndRoute(prepared, options);
      } catch (error) {
        if (error instanceof TaskKeyConflictError) continue;
        throw error;
      }
    }
    throw new TaskKeyConflictError(key, { message: `Task key "${key}" kept changing under concurrent registrations; try again.` });
  }

  async #withKeyLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#keyLocks.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.#keyLocks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.#keyLocks.get(key) === tail) this.#keyLocks.delete(key);
    }
  }

  #validateTaskKey(key: unknown): asserts key is string {
    if (typeof key !== 'string' || key.length > TASK_KEY_MAX) {
      throw new InvalidArgumentError(`taskKey must be a string of at most ${TASK_KEY_MAX} characters; received ${typeof key === 'string' ? `${key.length} characters` : typeof key}.`);
    }
  }

  // ---- cancel & queries --------------------------------------------------------------------------

  /**
   * Cancels a task: a waiting one never runs, a running one has its `ctx.signal` aborted. Returns
   * false when there was nothing to cancel (unknown id, or the task already finished).
   */
  async cancel(id: string): Promise<boolean> {
    if (typeof id !== 'string' || id.length === 0) throw new InvalidArgumentError(`cancel takes a task id; received ${JSON.stringify(id)}.`);
    const task = await this.#storageCall('get', () => this.#storage.get(id));
    if (!task || isTerminal(task.status)) return false;
    const now = this.#o.clock.now();
    const applied = await this.#writer.transition({
      id,
      from: allowedSources('cancelled'),
      to: 'cancelled',
      at: now,
      patch: { dueAt: null, leaseOwner: null, leaseExpiresAt: null },
      ...(shouldAuditStatus(task.auditLevel, 'cancelled', null) ? { audit: { error: null } } : {}),
    });
    if (!applied) return false;
    this.#scheduler.unschedule(id);
    this.#runner.releaseRateLimit(id);
    for (const queue of this.#queues.values()) queue.remove((t) => t.id === id);
    const running = this.#runner.abortLocal(id, 'cancel');
    if (!running && task.status === 'in-progress' && this.#storage.notify) {
      await this.#storage.notify({ kind: 'task-cancelled', taskId: id }).catch(() => undefined);
    }
    this.#emitter.emit('task:cancelled', { taskId: id, taskName: task.name, queue: task.queue, at: now, running });
    return true;
  }

  /** The stored task, or undefined. Works after `stop()` while the storage is open. */
  async getTask(id: string): Promise<TaskInfo | undefined> {
    if (typeof id !== 'string') throw new InvalidArgumentError(`getTask takes a task id; received ${typeof id}.`);
    const task = await this.#storageCall('get', () => this.#storage.get(id));
    return task ? toTaskInfo(task, this.#o.codec) : undefined;
  }

  /** Filtered, paged tasks. */
  async queryTasks(filter: TaskFilter = {}, page?: TaskPage): Promise<{ items: TaskInfo[]; total: number }> {
    const result = await this.#storageCall('query', () => this.#storage.query(filter, page));
    return { items: result.items.map((t) => toTaskInfo(t, this.#o.codec)), total: result.total };
  }

  /** The registered recurring series with their next run, last run, run count and last outcome. */
  async recurring(): Promise<RecurringSeries[]> {
    const out: RecurringSeries[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = await this.#storageCall('query', () =>
        this.#storage.query({ recurring: true }, { offset, limit: 500, sortBy: 'createdAt', descending: false }),
      );
      for (const t of page.items) {
        out.push({
          id: t.id,
          name: t.name,
          taskKey: t.taskKey,
          queue: t.queue,
          status: t.status,
          description: t.recurringInfo,
          nextRunAt: t.dueAt === null || isTerminal(t.status) ? null : new Date(t.dueAt),
          lastRunAt: t.lastExecutionAt === null ? null : new Date(t.lastExecutionAt),
          lastOutcome: t.lastOutcome,
          runCount: t.runCount,
          maxRuns: t.maxRuns,
          runUntil: t.runUntil === null ? null : new Date(t.runUntil),
        });
      }
      if (page.items.length < 500) break;
    }
    return out;
  }

  on<E extends EverTaskEventName>(event: E, listener: EverTaskListener<E>): () => void {
    return this.#emitter.on(event, listener);
  }

  off<E extends EverTaskEventName>(event: E, listener: EverTaskListener<E>): void {
    this.#emitter.off(event, listener);
  }

  /** Resolves with the next event of this kind matching the predicate. */
  once<E extends EverTaskEventName>(event: E, predicate: (e: EverTaskEvents[E]) => boolean = () => true): Promise<EverTaskEvents[E]> {
    return new Promise((resolve) => {
      const off = this.on(event, (e) => {
        if (!predicate(e)) return;
        off();
        resolve(e);
      });
    });
  }

  /** Live numbers of this process: running and buffered tasks per queue. */
  stats(): { queue: string; running: number; buffered: number; concurrency: number; capacity: number }[] {
    return [...this.#queues.values()].map((q) => ({
      queue: q.name,
      running: q.running,
      buffered: q.buffered,
      concurrency: q.config.concurrency,
      capacity: q.config.capacity,
    }));
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** Marks that the storage may have due work and starts a claim round. */
  #claimSoon(): void {
    void this.#claimer.claim();
  }

  #assertRunning(what: string): void {
    if (this.#state === 'running') return;
    if (this.#state === 'stopping' || this.#state === 'stopped') {
      throw new EngineStateError('ERR_STOPPED', `Cannot ${what}: EverTask is ${this.#state}.`);
    }
    throw new EngineStateError('ERR_NOT_STARTED', `Cannot ${what} before start(): call await everTask.start() first.`);
  }

  #definition(task: AnyTask): AnyTask {
    if (!task || typeof task.name !== 'string') throw new InvalidArgumentError('dispatch takes a task definition created with defineTask().');
    const def = this.#o.tasks.get(task.name);
    if (!def) throw new UnknownTaskError(task.name);
    return def;
  }

  async #storageCall<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof StorageError || error instanceof TaskKeyConflictError || error instanceof InvalidArgumentError) throw error;
      throw new StorageError(`Storage ${operation} failed: ${toError(error).message}`, { cause: error });
    }
  }
}

interface DispatchPlan {
  now: number;
  dueAt: number;
  scheduledAt: number | null;
  queueName: string;
  auditLevel: AuditLevel;
}

interface PreparedTask {
  def: AnyTask;
  record: StoredTask;
}
