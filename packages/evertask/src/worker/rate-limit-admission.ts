import { createHash } from 'node:crypto';
import type { AnyTask, EngineContext } from '../engine-context.js';
import type { StoredTask } from '../ports/task-record.js';
import type { RecurringSchedule } from '../recurring/schedule-spec.js';
import type { RunFinisher } from './run-finisher.js';
import type { RateLimitGate } from '../rate-limit/rate-limit-gate.js';
import type { ResolvedRateLimit } from '../rate-limit/rate-limit-options.js';
import { RATE_LIMIT_KEY_LENGTH } from '../storage-kit/rate-limit-checks.js';
import { RateLimitRejectedError, describeError, toError } from '../errors.js';
import { reRegisteredNext } from '../recurring/recurring-task.js';

/** A key longer than a store accepts is replaced by its SHA-256 (hex). */
function budgetKey(key: string): string {
  return key.length <= RATE_LIMIT_KEY_LENGTH ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/**
 * The rate-limit gate of a claimed task, before its run: acquires a start from the budget of its
 * (task name, key). Over budget it parks the task in the storage (`waiting`, due at its reserved
 * slot: no worker held, and it survives a restart); beyond the horizon or with `onExceeded:
 * 'discard'` it fails the task (a recurring occurrence is skipped instead, the series going on).
 * Any failure of the limiter lets the task run (fail-open, with a `rate-limit:fail-open` event).
 */
export class RateLimitAdmission {
  readonly #ctx: EngineContext;
  readonly #finisher: RunFinisher;
  readonly #gate: RateLimitGate;

  constructor(ctx: EngineContext, finisher: RunFinisher, gate: RateLimitGate) {
    this.#ctx = ctx;
    this.#finisher = finisher;
    this.#gate = gate;
  }

  /** True when the task may start now; otherwise it was parked, failed or skipped here. */
  async admit(task: StoredTask, def: AnyTask, payload: unknown, schedule: RecurringSchedule | undefined): Promise<boolean> {
    const limit = def.rateLimit as ResolvedRateLimit;
    if (task.attempts > 0 && !limit.retries) return true;
    let key = '';
    try {
      key = budgetKey(limit.key?.(payload) ?? '');
    } catch (error) {
      this.#failOpen(task, null, error, `its rateLimit.key threw`);
      return true;
    }
    const now = this.#ctx.options.clock.now();
    let decision;
    try {
      decision = await this.#gate.acquire({
        policyKey: task.name,
        key,
        reservationId: task.id,
        now,
        intervalMs: limit.intervalMs,
        toleranceMs: limit.toleranceMs,
        horizonMs: limit.onExceeded === 'discard' ? 0 : limit.maxWaitMs,
        startEmpty: limit.startEmpty,
      });
    } catch (error) {
      this.#failOpen(task, key, error, 'the rate limiter failed');
      return true;
    }
    if (decision.acquired) return true;
    const { slotAt, rejected } = decision;
    this.#ctx.emitter.emit('task:rate-limited', { taskId: task.id, taskName: task.name, queue: task.queue, at: now, key, retryAt: slotAt, rejected });
    if (schedule !== undefined && (rejected || (schedule.runUntil !== undefined && slotAt >= schedule.runUntil))) {
      if (!rejected) await this.release(task.id);
      await this.#skipOccurrence(task, schedule, slotAt, now);
      return false;
    }
    if (rejected) {
      await this.#reject(task, def, payload, new RateLimitRejectedError(task.name, key, slotAt, limit.maxWaitMs, limit.onExceeded === 'discard' ? 'discard' : 'horizon'), now);
      return false;
    }
    const applied = await this.#finisher.transition(task, 'waiting', now, { dueAt: slotAt, leaseOwner: null, leaseExpiresAt: null }, []);
    if (applied && this.#ctx.isRunning()) this.#ctx.dueTimes.schedule(task.id, slotAt);
    return false;
  }

  /** Gives back the reservation of a task (cancelled while parked); failures are logged. */
  async release(taskId: string): Promise<void> {
    try {
      await this.#gate.release(taskId);
    } catch (error) {
      this.#ctx.options.logger.warn(`Releasing the rate-limit reservation of task ${taskId} failed: ${toError(error).message}`);
    }
  }

  #failOpen(task: StoredTask, key: string | null, cause: unknown, why: string): void {
    const error = toError(cause);
    const failOpenCount = this.#gate.failedOpen();
    this.#ctx.options.logger.warn(`Task ${task.id} ("${task.name}") runs unthrottled because ${why}: ${error.message} (fail-open #${failOpenCount})`);
    const at = this.#ctx.options.clock.now();
    this.#ctx.emitter.emit('rate-limit:fail-open', { taskId: task.id, taskName: task.name, queue: task.queue, at, key, error, failOpenCount });
  }

  async #reject(task: StoredTask, def: AnyTask, payload: unknown, error: RateLimitRejectedError, now: number): Promise<void> {
    const text = describeError(error);
    const applied = await this.#finisher.transition(task, 'failed', now, { dueAt: null, error: text, leaseOwner: null, leaseExpiresAt: null }, [], text);
    if (!applied) return;
    this.#ctx.emitter.emit('task:failed', { taskId: task.id, taskName: task.name, queue: task.queue, at: now, attempt: task.attempts, error, durationMs: 0 });
    await this.#finisher.hook(task, 'onError', () => def.options.onError?.({ taskId: task.id, taskName: task.name, attempt: task.attempts, payload }, error));
  }

  /**
   * A recurring occurrence that cannot run in budget (its slot beyond the horizon, or at or past
   * `runUntil`): skipped without counting a run; the series goes on at its first occurrence after
   * the slot, or ends when none is left.
   */
  async #skipOccurrence(task: StoredTask, schedule: RecurringSchedule, slotAt: number, now: number): Promise<void> {
    const next = reRegisteredNext(schedule, Math.max(slotAt, now), task.runCount);
    this.#ctx.options.logger.warn(
      `Recurring task ${task.id} ("${task.name}"): occurrence skipped, its rate-limit slot ${new Date(slotAt).toISOString()} is out of reach; ` +
        (next === undefined ? 'the series ends.' : `next run ${new Date(next).toISOString()}.`),
    );
    if (next === undefined) {
      await this.#finisher.transition(task, 'completed', now, { dueAt: null, leaseOwner: null, leaseExpiresAt: null }, []);
      return;
    }
    const applied = await this.#finisher.transition(task, 'waiting', now, { dueAt: next, scheduledAt: next, leaseOwner: null, leaseExpiresAt: null }, []);
    if (applied && this.#ctx.isRunning()) this.#ctx.dueTimes.schedule(task.id, next);
  }
}
