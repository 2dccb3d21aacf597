import type { EngineContext, LocalQueue } from '../engine-context.js';
import type { ResolvedOptions } from '../options.js';
import type { StoredTask } from '../ports/task-record.js';
import type { DispatchOptions } from './dispatch-options.js';
import type { PreparedTask } from './prepared-task.js';
import { InvalidArgumentError, QueueFullError, StorageError, TaskKeyConflictError, toError } from '../errors.js';
import { shouldAuditStatus } from '../audit/audit-policy.js';
import { TERMINAL_STATUSES } from '../state-machine.js';

/**
 * Where every dispatch ends, keyed or not: the full-queue behaviour, leasing an immediate task to
 * this instance so that it needs no claim, storing the records (in the caller's transaction with
 * `tx`), and handing them to a queue or the scheduler. Internal to the engine.
 */
export class TaskRouter {
  readonly #ctx: EngineContext;
  readonly #options: ResolvedOptions;

  constructor(ctx: EngineContext) {
    this.#ctx = ctx;
    this.#options = ctx.options;
  }

  /** Marks a freshly prepared (not yet stored) record as taken by this instance. */
  leaseLocally(record: StoredTask, now: number, queue: LocalQueue): StoredTask {
    record.queue = queue.name;
    record.status = 'queued';
    record.leaseOwner = this.#options.instanceId;
    record.leaseExpiresAt = now + this.#options.leaseMs;
    return record;
  }

  /**
   * Stores records (in the caller's transaction with `tx`) and emits `task:dispatched`. With
   * `replacing`, the one record replaces that finished task in one storage call; returns false
   * when it was no longer finished (nothing stored).
   */
  async persist(records: StoredTask[], options: DispatchOptions, replacing?: string): Promise<boolean> {
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
    const now = this.#options.clock.now();
    const inTx = options.tx !== undefined;
    if (record.dueAt !== null && record.dueAt <= now && !inTx && !this.#ctx.pauses.isPaused(record.queue)) {
      let queue = this.#ctx.queues.get(record.queue) as LocalQueue;
      if (queue.space === 0) {
        const mode = queue.config.whenFull;
        // refused before anything is stored: a caller that retries on the error gets no duplicate
        if (mode === 'throw') throw new QueueFullError(queue.name, queue.config.capacity);
        if (mode === 'fallback' && queue.name !== 'default') {
          this.#options.logger.warn(`Queue "${queue.name}" is full; task ${record.id} runs on the default queue.`);
          queue = this.#ctx.queues.get('default') as LocalQueue;
        }
        await queue.waitForSpace();
        this.#ctx.requireRunning('dispatch');
      }
      record = this.leaseLocally(record, this.#options.clock.now(), queue);
    }
    if (!(await this.persist([record], options, replacing))) return undefined;
    this.routeStored(record);
    return record.id;
  }

  /**
   * After a successful insert: hand a locally leased task to its queue, or remember when a waiting
   * one is due. A waiting task due now starts a claim, or with `deferClaim` returns true so that
   * the caller claims once for a whole batch.
   */
  routeStored(record: StoredTask, deferClaim = false): boolean {
    if (record.status === 'queued' && record.leaseOwner === this.#options.instanceId) {
      (this.#ctx.queues.get(record.queue) as LocalQueue).push(record);
    } else if (record.dueAt !== null) {
      if (record.dueAt <= this.#options.clock.now()) {
        if (deferClaim) return true;
        this.#ctx.claims.claimSoon();
      } else {
        this.#ctx.dueTimes.schedule(record.id, record.dueAt);
      }
    }
    return false;
  }
}
