import type { EngineContext } from '../engine-context.js';
import type { ResolvedOptions } from '../options.js';
import type { RecurringRegistration } from '../recurring/recurring-task.js';
import type { DispatchOptions } from './dispatch-options.js';
import type { PreparedTask } from './prepared-task.js';
import type { TaskRouter } from './task-router.js';
import type { StoredTask } from '../ports/task-record.js';
import { InvalidArgumentError, TaskKeyConflictError } from '../errors.js';
import { isTerminal } from '../state-machine.js';
import { reRegisteredNext, scheduleIdentity, storedSchedule } from '../recurring/recurring-task.js';
import { storageCall } from '../storage/storage-call.js';

const TASK_KEY_MAX = 200;

/**
 * Dispatches under a task key: one task per key, a later dispatch updating or replacing it, and
 * recurring series registered in place. Dispatches of one key run one at a time in this process;
 * across processes the storage's unique key decides. Internal to the engine.
 */
export class KeyedDispatch {
  readonly #ctx: EngineContext;
  readonly #options: ResolvedOptions;
  readonly #router: TaskRouter;
  readonly #keyLocks = new Map<string, Promise<unknown>>();

  constructor(ctx: EngineContext, router: TaskRouter) {
    this.#ctx = ctx;
    this.#options = ctx.options;
    this.#router = router;
  }

  /** Dispatches a prepared task, or with `registration` registers a recurring series, under `key`. */
  dispatch(prepared: PreparedTask, key: string, registration: RecurringRegistration | undefined, options: DispatchOptions): Promise<string> {
    this.#checkTaskKey(key);
    return this.#withKeyLock(key, () =>
      registration ? this.#registerRecurringKeyed(prepared, registration, key, options) : this.#dispatchKeyed(prepared, key, options),
    );
  }

  async #dispatchKeyed(prepared: PreparedTask, key: string, options: DispatchOptions): Promise<string> {
    prepared.record.taskKey = key;
    for (let round = 0; round < 5; round++) {
      const existing = await storageCall('getByTaskKey', () => this.#ctx.storage.getByTaskKey(key));
      if (existing) {
        if (existing.recurring !== null) {
          throw new TaskKeyConflictError(key, {
            message: `Task key "${key}" belongs to recurring task ${existing.id}; a one-off dispatch cannot reuse it. Use another key, or cancel the series first.`,
          });
        }
        if (existing.status === 'in-progress' || existing.status === 'queued') {
          this.#options.logger.debug(`Task key "${key}": task ${existing.id} is ${existing.status}; the dispatch is a no-op.`);
          return existing.id;
        }
        if (existing.status === 'waiting' || existing.status === 'service-stopped') {
          const r = prepared.record;
          const updated = await storageCall('update', () =>
            this.#ctx.storage.update(
              existing.id,
              { payload: r.payload, queue: r.queue, auditLevel: r.auditLevel, scheduledAt: r.scheduledAt, dueAt: r.dueAt, attempts: 0, error: null },
              ['waiting', 'service-stopped'],
            ),
          );
          if (!updated) continue; // it moved on meanwhile: decide again
          this.#ctx.dueTimes.unschedule(existing.id);
          this.#router.routeStored({ ...existing, ...r, id: existing.id, status: existing.status, createdAt: existing.createdAt });
          return existing.id;
        }
      }
      // none, or a finished one: the new task replaces it (keeping its history) in one storage call,
      // created no earlier than the end of the one it replaces (whose rows must read before its own,
      // though that end may be later than this dispatch's clock: it finished meanwhile, or another
      // process's clock is ahead)
      if (existing) bumpCreation(prepared, existing.updatedAt);
      const id = await this.#store(prepared, existing, options);
      if (id !== undefined) return id;
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
    const now = this.#options.clock.now();
    for (let round = 0; round < 5; round++) {
      const existing = await storageCall('getByTaskKey', () => this.#ctx.storage.getByTaskKey(key));
      if (existing && existing.recurring === null && !isTerminal(existing.status)) {
        throw new TaskKeyConflictError(key, {
          message: `Task key "${key}" belongs to one-off task ${existing.id} (${existing.status}); a recurring series cannot take it over. Use another key.`,
        });
      }
      if (existing && existing.recurring !== null && existing.status !== 'cancelled') {
        if (existing.status === 'in-progress') {
          this.#options.logger.debug(`Task key "${key}": recurring task ${existing.id} is running; the registration is a no-op.`);
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
            const applied = await this.#ctx.writer.transition({
              id: existing.id, from: ['waiting', 'service-stopped', 'queued'], to: 'completed', at: now,
              patch: { ...definition, dueAt: null, leaseOwner: null, leaseExpiresAt: null },
            });
            if (!applied) continue;
            return existing.id;
          }
          const updated = await storageCall('update', () =>
            this.#ctx.storage.update(existing.id, { ...definition, dueAt, scheduledAt: keepPlan ? existing.scheduledAt : dueAt }, ['waiting', 'service-stopped', 'queued']),
          );
          if (!updated) continue;
          if (existing.status !== 'queued') {
            this.#ctx.dueTimes.unschedule(existing.id);
            this.#router.routeStored({ ...existing, ...definition, dueAt, status: existing.status });
          }
          return existing.id;
        }
        // the series ended (limits reached): it stays over unless the new limits allow more runs
        if (next === undefined) {
          await storageCall('update', () => this.#ctx.storage.update(existing.id, definition));
          return existing.id;
        }
        prepared.record.runCount = existing.runCount;
        prepared.record.dueAt = Math.max(now, next);
        prepared.record.scheduledAt = next;
      }
      const id = await this.#store(prepared, existing, options);
      if (id !== undefined) return id;
    }
    throw new TaskKeyConflictError(key, { message: `Task key "${key}" kept changing under concurrent registrations; try again.` });
  }

  /**
   * Inserts the keyed task, or replaces the finished task `existing` by it (one storage call that
   * keeps the finished task's history under the new one). Undefined when the key changed meanwhile
   * (another process inserted or replaced first): the caller reads the key again.
   */
  async #store(prepared: PreparedTask, existing: StoredTask | undefined, options: DispatchOptions): Promise<string | undefined> {
    try {
      return existing === undefined
        ? await this.#router.insertAndRoute(prepared, options)
        : await this.#router.replaceAndRoute(existing.id, prepared, options);
    } catch (error) {
      if (error instanceof TaskKeyConflictError) return undefined; // another process won the race: re-read the winner
      throw error;
    }
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

  #checkTaskKey(key: unknown): asserts key is string {
    if (typeof key !== 'string' || key.trim() === '' || key.length > TASK_KEY_MAX) {
      const received = typeof key !== 'string' ? typeof key : key.trim() === '' ? JSON.stringify(key) : `${key.length} characters`;
      throw new InvalidArgumentError(
        `taskKey must be a non-blank string of at most ${TASK_KEY_MAX} characters; received ${received}. Omit taskKey for a task without a key.`,
      );
    }
  }
}

/** Moves a record's creation time up to `at` when it is earlier (its due time stays: it is due as soon as it was). */
function bumpCreation(prepared: PreparedTask, at: number): void {
  const record = prepared.record;
  if (record.createdAt >= at) return;
  record.createdAt = at;
  record.updatedAt = Math.max(record.updatedAt, at);
}
