import { availableParallelism } from 'node:os';
import type { TaskDefinition } from './define-task.js';
import type { DispatchManyOptions, DispatchOptions } from './dispatch/dispatch-options.js';
import type { ClaimerContext, EngineContext } from './engine-context.js';
import type { EverTaskEventName, EverTaskEvents, EverTaskListener } from './events.js';
import type { EverTaskOptions, ResolvedOptions } from './options.js';
import type { TaskStorage, TaskFilter, TaskPage } from './ports/task-storage.js';
import type { TaskInfo } from './task-info.js';
import { TypedEmitter, checkSubscription } from './events.js';
import { resolveOptions } from './options.js';
import { toMilliseconds } from './duration.js';
import { EngineStateError, InvalidArgumentError, StorageError, toError } from './errors.js';
import { WriteCoalescer } from './storage/write-coalescer.js';
import { Dispatcher } from './dispatch/dispatcher.js';
import { DueScheduler } from './scheduler/due-scheduler.js';
import { Claimer } from './scheduler/claimer.js';
import { InstanceRegistration, type InstanceInfo } from './scheduler/instance-registration.js';
import { QueueRunner } from './worker/queue-runner.js';
import { RunFinisher } from './worker/run-finisher.js';
import { TaskRunner } from './worker/task-runner.js';
import { RetentionMaintenance } from './maintenance/retention-maintenance.js';
import { EventFeed } from './event-feed/event-feed.js';
import { toTaskInfo } from './task-info.js';
import { storageCall } from './storage/storage-call.js';
import { readRateLimitStatus, type RateLimitStatus } from './rate-limit/rate-limit-status.js';
import { MemoryStorage } from './storage/memory/memory-storage.js';
import { checkOptionsObject, optionKeys } from './option-keys.js';
import { readTaskHistory, readTaskLogs, type TaskHistory, type TaskLogPage, type TaskLogQuery } from './task-history.js';

import type { ActionOptions } from './management/action-options.js';
import type { ManagementContext } from './management/management-context.js';
import { cancelTask } from './management/cancel-task.js';
import { runTaskNow } from './management/run-now.js';
import { retryTask } from './management/retry-task.js';
import { deleteTask } from './management/delete-task.js';
import { QueuePauses, type PausedQueueInfo } from './management/queue-pauses.js';
import { listRecurringSeries, type RecurringSeries } from './recurring-series.js';
import { describeConfiguration, type EngineConfiguration } from './engine-configuration.js';
import { describeValue } from './describe-value.js';

const STOP_KEYS = optionKeys<StopOptions>({ timeout: true, closeStorage: true });

type EngineState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

/** Options of `stop`. */
export interface StopOptions {
  /** How long running tasks may finish before they are aborted. @defaultValue the engine's `stopTimeout` ('30s') */
  timeout?: number | string;
  /** Also close the storage. @defaultValue false (so `getTask` keeps working) */
  closeStorage?: boolean;
}

/**
 * The engine: dispatches tasks, runs them on named queues in this process, and keeps every task
 * and status change in its storage.
 */
export class EverTask {
  readonly #options: ResolvedOptions;
  readonly #storage: TaskStorage;
  readonly #emitter: TypedEmitter;
  readonly #queues = new Map<string, QueueRunner>();
  readonly #writer: WriteCoalescer;
  readonly #scheduler: DueScheduler;
  readonly #claimer: Claimer;
  readonly #registration: InstanceRegistration;
  readonly #finisher: RunFinisher;
  readonly #runner: TaskRunner;
  readonly #dispatcher: Dispatcher;
  readonly #retention: RetentionMaintenance;
  readonly #management: ManagementContext;
  readonly #pauses: QueuePauses;
  readonly #feed: EventFeed;
  readonly #remoteListeners = new Set<unknown>();
  #state: EngineState = 'created';
  #unsubscribe: (() => Promise<void>) | undefined;

  constructor(options: EverTaskOptions) {
    this.#options = resolveOptions(options, availableParallelism());
    this.#storage = this.#options.storage ?? new MemoryStorage();
    this.#emitter = new TypedEmitter((error) =>
      this.#options.logger.error('An event listener threw; the engine carries on.', { error: toError(error) }),
    );
    this.#writer = new WriteCoalescer(this.#storage, this.#options.clock, {
      onError: (operation, error, willRetry) => {
        this.#options.logger.error(`Storage ${operation} failed${willRetry ? '; retrying' : ''}: ${error.message}`, { error });
        this.#emitter.emit('storage:error', { operation, error, willRetry, at: this.#options.clock.now() });
      },
    });
    // a due time reached starts a claim round (the claimer is built below, before any timer runs)
    this.#scheduler = new DueScheduler(this.#options.clock, () => claimer.claimSoon());
    const base: ClaimerContext = {
      options: this.#options,
      storage: this.#storage,
      emitter: this.#emitter,
      queues: this.#queues,
      writer: this.#writer,
      dueTimes: this.#scheduler,
      isRunning: () => this.#state === 'running',
      requireRunning: (what) => this.#requireRunning(what),
      pauses: { isPaused: (queue) => this.#pauses.isPaused(queue) },
    };
    this.#registration = new InstanceRegistration(base);
    const claimer = new Claimer(base, this.#registration);
    this.#claimer = claimer;
    const ctx: EngineContext = { ...base, claims: claimer };
    this.#finisher = new RunFinisher(ctx);
    const runner = new TaskRunner(ctx, this.#finisher);
    this.#runner = runner;
    this.#dispatcher = new Dispatcher(ctx);
    this.#retention = new RetentionMaintenance(ctx, this.#registration);
    this.#management = {
      engine: ctx,
      abortLocal: (id, reason) => runner.abortLocal(id, reason),
      releaseRateLimit: (id) => runner.releaseRateLimit(id),
      handBack: (task, now) => claimer.handBack(task, now),
      dropBuffered: (predicate) => [...this.#queues.values()].flatMap((queue) => queue.remove(predicate)),
    };
    this.#pauses = new QueuePauses(this.#management);
    this.#feed = new EventFeed(ctx, this.#options.eventFeed);
    for (const config of this.#options.queues.values()) {
      this.#queues.set(
        config.name,
        new QueueRunner(config, (task, queue, done) => runner.execute(task, queue, done), () => claimer.onSlotFree()),
      );
    }
  }

  /** This process's identity in leases. */
  get instanceId(): string {
    return this.#options.instanceId;
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
      if (this.#storage.notifications !== undefined) {
        this.#unsubscribe = await this.#storage.notifications.subscribe((n) => {
          if (n.kind === 'task-cancelled' && n.taskId) this.#runner.abortLocal(n.taskId, 'cancel');
          else if (n.kind === 'queue-state') void this.#pauses.refresh().catch(() => undefined);
          else if (n.kind === 'task-available') {
            if (n.dueAt !== undefined && n.dueAt > this.#options.clock.now()) this.#scheduler.hint(Math.min(n.dueAt, this.#scheduler.nextAt() ?? Infinity));
            else this.#claimer.claimSoon();
          } else this.#feed.receive(n);
        });
      }
      if (this.#options.stableInstanceId && this.#storage.capabilities.persistent) await this.#claimer.takeBackOwnLeases();
      await this.#registration.register();
      await this.#pauses.refresh();
    } catch (error) {
      // a failed start leaves nothing behind: no subscription, the engine as it was
      if (this.#unsubscribe) await this.#unsubscribe().catch(() => undefined);
      this.#unsubscribe = undefined;
      this.#state = 'created';
      throw error instanceof StorageError ? error : new StorageError(`Could not open the storage: ${toError(error).message}`, { cause: error });
    }
    this.#state = 'running';
    this.#options.instrumentation?.attach?.({ storage: this.#storage, queueNames: [...this.#queues.keys()], instanceId: this.#options.instanceId });
    this.#feed.start();
    // started again after stop(): stop() paused the queues and the scheduler
    this.#scheduler.resume();
    for (const queue of this.#queues.values()) queue.resume();
    this.#claimer.start();
    this.#pauses.start();
    this.#retention.start();
    await this.#claimer.claim();
  }

  /**
   * Stops gracefully: no new work is taken, buffered tasks are handed back to the storage,
   * running tasks get `timeout` to finish and are then aborted and stored as `service-stopped`
   * (a persistent storage runs them again at the next start).
   */
  async stop(options: StopOptions = {}): Promise<void> {
    // every check before any state changes: a refused call leaves the engine as it was
    checkOptionsObject(options, STOP_KEYS, 'stop options');
    const timeoutMs = options.timeout === undefined ? this.#options.stopTimeoutMs : toMilliseconds(options.timeout, 'stop timeout');
    if (options.closeStorage !== undefined && typeof options.closeStorage !== 'boolean') {
      throw new InvalidArgumentError(`stop option closeStorage must be a boolean; received ${describeValue(options.closeStorage)}.`);
    }
    if (this.#state === 'stopped' || this.#state === 'created') {
      this.#state = 'stopped';
      if (options.closeStorage) await this.#storage.close();
      return;
    }
    this.#state = 'stopping';
    this.#claimer.stop();
    this.#pauses.stop();
    this.#scheduler.stop();
    const retentionStopped = this.#retention.stop(); // no new pass; one under way is awaited below
    await this.#claimer.idle();
    const now = this.#options.clock.now();
    const handBack: Promise<boolean>[] = [];
    for (const queue of this.#queues.values()) {
      queue.pause();
      for (const task of queue.remove(() => true)) handBack.push(this.#claimer.handBack(task, now));
    }
    if (this.#runner.runningCount > 0) {
      let timer: unknown;
      const deadline = new Promise<void>((resolve) => (timer = this.#options.clock.setTimer(resolve, timeoutMs)));
      await Promise.race([this.#runner.allFinished(), deadline]);
      this.#options.clock.clearTimer(timer);
      this.#runner.abortAll('shutdown');
    }
    await this.#runner.allFinished();
    await Promise.allSettled(handBack);
    await this.#writer.drain();
    await this.#feed.stop();
    if (this.#unsubscribe) await this.#unsubscribe().catch(() => undefined);
    await retentionStopped;
    await this.#registration.deregister();
    this.#options.instrumentation?.detach?.();
    this.#state = 'stopped';
    if (options.closeStorage) await this.#storage.close();
  }

  // ---- dispatch --------------------------------------------------------------------------------
  // not `async`: the dispatcher's promise is returned as it is, with no second promise per
  // dispatch; the dispatcher is async, so a bad call still rejects rather than throws

  /** Stores a task and runs it now, later, at a time or on a schedule. Resolves with its id once it is stored. */
  dispatch<P>(task: TaskDefinition<P>, payload: P, options: DispatchOptions = {}): Promise<string> {
    return this.#dispatcher.dispatch(task, payload, options);
  }

  /**
   * Dispatches a batch in as few storage round trips as the storage allows. A bad payload rejects
   * the whole batch before anything is stored. Never blocks on a full queue: what does not fit
   * locally is stored due and taken as workers free up. Returns the ids in order.
   */
  dispatchMany<P>(task: TaskDefinition<P>, payloads: readonly P[], options: DispatchManyOptions = {}): Promise<string[]> {
    return this.#dispatcher.dispatchMany(task, payloads, options);
  }

  // ---- management actions (src/management/) ----------------------------------------------------
  // Each returns true when it applied and false when the task is unknown or its status does not
  // allow it; a bad argument throws. `actor` is recorded in the status history and the log.

  /** Cancels a task: a waiting one never runs, a running one has its `ctx.signal` aborted. False when it already finished. */
  cancel(id: string, options: ActionOptions = {}): Promise<boolean> {
    return cancelTask(this.#management, id, options);
  }

  /** Makes a `waiting` task (delayed, awaiting a retry, a recurring series between runs) due now. */
  runNow(id: string, options: ActionOptions = {}): Promise<boolean> {
    return runTaskNow(this.#management, id, options);
  }

  /** Runs a `failed` task again: `waiting`, due now, attempts back at 0 (its error stays in the history). */
  retry(id: string, options: ActionOptions = {}): Promise<boolean> {
    return retryTask(this.#management, id, options);
  }

  /** Deletes a finished (`completed`, `failed`, `cancelled`) task with its history and logs. */
  deleteTask(id: string, options: ActionOptions = {}): Promise<boolean> {
    return deleteTask(this.#management, id, options);
  }

  /**
   * Pauses a queue in the storage: no engine sharing it claims its tasks until `resumeQueue`
   * (running ones finish). Returns false when it was already paused.
   */
  pauseQueue(name: string, options: ActionOptions = {}): Promise<boolean> {
    return this.#pauses.pause(name, options);
  }

  /** Resumes a paused queue and wakes the engines. Returns false when it was not paused. */
  resumeQueue(name: string, options: ActionOptions = {}): Promise<boolean> {
    return this.#pauses.resume(name, options);
  }

  /** The paused queues of the storage, by name. */
  pausedQueues(): Promise<PausedQueueInfo[]> {
    return this.#pauses.list();
  }

  // ---- queries -----------------------------------------------------------------------------------

  /** The stored task, or undefined. Works after `stop()` while the storage is open. */
  async getTask(id: string): Promise<TaskInfo | undefined> {
    if (typeof id !== 'string') throw new InvalidArgumentError(`getTask takes a task id; received ${typeof id}.`);
    const task = await storageCall('get', () => this.#storage.get(id));
    return task ? toTaskInfo(task, this.#options.codec) : undefined;
  }

  /**
   * The audit trail of a task, oldest first: every status change it went through (as its audit
   * level records them) and, for a recurring series, every finished run. Empty lists for an
   * unknown id. Works after `stop()` while the storage is open.
   */
  getTaskHistory(id: string): Promise<TaskHistory> {
    return readTaskHistory(this.#storage, id);
  }

  /**
   * A page of the execution log captured while the task ran (`defaults.logs.enabled`), oldest
   * first, with the number of matching entries. `level` keeps that level and above.
   */
  getTaskLogs(id: string, query?: TaskLogQuery): Promise<TaskLogPage> {
    return readTaskLogs(this.#storage, id, query);
  }

  /** Filtered, paged tasks. */
  async queryTasks(filter: TaskFilter = {}, page?: TaskPage): Promise<{ items: TaskInfo[]; total: number }> {
    const result = await storageCall('query', () => this.#storage.query(filter, page));
    return { items: result.items.map((t) => toTaskInfo(t, this.#options.codec)), total: result.total };
  }

  /**
   * The engines sharing this storage, from its instance registry: each registers at start,
   * heartbeats with its leases and is removed at a clean stop; one that stopped heartbeating stays
   * listed with `alive: false` for an hour. A storage without a registry lists this engine alone.
   */
  async instances(): Promise<InstanceInfo[]> {
    return storageCall('listInstances', () => this.#registration.list());
  }

  /** The rate-limit budgets (up to `limit` keys, default 100), the parked tasks and the fail-open count. */
  async rateLimitStatus(limit?: number): Promise<RateLimitStatus> {
    return storageCall('rateLimits.introspect', () => readRateLimitStatus(this.#runner.rateLimits, limit));
  }

  /** The registered recurring series with their next run, last run, run count and last outcome. */
  recurring(): Promise<RecurringSeries[]> {
    return listRecurringSeries(this.#storage);
  }

  /** Subscribes to an event; returns the unsubscribe function. An unknown event name throws. */
  on<E extends EverTaskEventName>(event: E, listener: EverTaskListener<E>): () => void {
    checkSubscription('on', event, listener);
    const off = this.#emitter.on(event, listener);
    if (event !== 'remote:task' || this.#remoteListeners.has(listener)) return off;
    this.#remoteListeners.add(listener);
    this.#feed.addWatcher();
    return () => this.off(event, listener);
  }

  off<E extends EverTaskEventName>(event: E, listener: EverTaskListener<E>): void {
    this.#emitter.off(event, listener);
    if (event === 'remote:task' && this.#remoteListeners.delete(listener)) this.#feed.removeWatcher();
  }

  /** Resolves with the next event of this kind matching the predicate. */
  once<E extends EverTaskEventName>(event: E, predicate: (e: EverTaskEvents[E]) => boolean = () => true): Promise<EverTaskEvents[E]> {
    checkSubscription('once', event, predicate);
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

  /** The resolved configuration (queues, task definitions, lease, audit and log settings), safe to show. */
  configuration(): EngineConfiguration {
    return describeConfiguration(this.#options);
  }

  // ---- helpers ----------------------------------------------------------------------------------

  #requireRunning(what: string): void {
    if (this.#state === 'running') return;
    if (this.#state === 'stopping' || this.#state === 'stopped') {
      throw new EngineStateError('ERR_STOPPED', `Cannot ${what}: EverTask is ${this.#state}.`);
    }
    throw new EngineStateError('ERR_NOT_STARTED', `Cannot ${what} before start(): call await everTask.start() first.`);
  }
}
