import { hostname } from 'node:os';
import type { ClaimerContext } from '../engine-context.js';
import { toError } from '../errors.js';
import type { InstanceRecord } from '../ports/task-storage.js';

/** An engine as `EverTask.instances()` reports it. */
export interface InstanceInfo {
  /** The engine's `instanceId`: the owner name of its leases. */
  id: string;
  hostname: string;
  pid: number;
  startedAt: Date;
  lastHeartbeatAt: Date;
  /** Past this time without a heartbeat the instance is presumed dead and its leases are taken over as they expire. */
  expiresAt: Date;
  /** True while `expiresAt` is in the future. */
  alive: boolean;
  /** True for the engine that answered. */
  self: boolean;
  /** The queues it runs. */
  queues: string[];
  /**
   * The task names it runs (its registered definitions): it claims no other task. A waiting task
   * whose name no alive instance lists waits for an instance that knows it.
   */
  taskNames: string[];
}

/**
 * This engine's record in the storage's instance registry: written at start, refreshed with every
 * lease heartbeat, removed at a clean stop. A storage without a registry makes all three no-ops,
 * and `list()` then reports this engine alone. Internal to the engine.
 */
export class InstanceRegistration {
  readonly #ctx: ClaimerContext;
  #startedAt = 0;
  /** The heartbeat under way: a stop waits for it, so that it cannot re-register after the removal. */
  #beating: Promise<void> = Promise.resolve();

  constructor(ctx: ClaimerContext) {
    this.#ctx = ctx;
  }

  #record(now: number): InstanceRecord {
    const o = this.#ctx.options;
    return {
      id: o.instanceId,
      hostname: hostname(),
      pid: process.pid,
      startedAt: this.#startedAt,
      heartbeatAt: now,
      expiresAt: now + o.leaseMs,
      queues: [...this.#ctx.queues.keys()],
      taskNames: [...o.tasks.keys()],
    };
  }

  /** Registers this engine (start): a failure fails the start, as any storage fault there does. */
  async register(): Promise<void> {
    this.#startedAt = this.#ctx.options.clock.now();
    await this.#ctx.storage.instances?.heartbeat(this.#record(this.#startedAt));
  }

  /** Refreshes the record; a failure is reported and retried at the next heartbeat. */
  beat(now: number): Promise<void> {
    this.#beating = this.#beat(now);
    return this.#beating;
  }

  async #beat(now: number): Promise<void> {
    try {
      await this.#ctx.storage.instances?.heartbeat(this.#record(now));
    } catch (error) {
      const err = toError(error);
      this.#ctx.options.logger.error(`Instance heartbeat failed: ${err.message}`, { error: err });
      this.#ctx.emitter.emit('storage:error', { operation: 'heartbeatInstance', error: err, willRetry: true, at: now });
    }
  }

  /** Removes the record (clean stop); a failure leaves it to expire, which is what a crash does. */
  async deregister(): Promise<void> {
    await this.#beating;
    try {
      await this.#ctx.storage.instances?.remove(this.#ctx.options.instanceId);
    } catch (error) {
      const err = toError(error);
      this.#ctx.options.logger.warn(`Could not remove the instance record; it expires by itself: ${err.message}`, { error: err });
    }
  }

  /** The registered instances (or this engine alone when the storage has no registry). */
  async list(): Promise<InstanceInfo[]> {
    const now = this.#ctx.options.clock.now();
    const registry = this.#ctx.storage.instances;
    const records = registry === undefined ? [this.#record(now)] : await registry.list();
    return records.map((r) => ({
      id: r.id,
      hostname: r.hostname,
      pid: r.pid,
      startedAt: new Date(r.startedAt),
      lastHeartbeatAt: new Date(r.heartbeatAt),
      expiresAt: new Date(r.expiresAt),
      alive: r.expiresAt > now,
      self: r.id === this.#ctx.options.instanceId,
      queues: [...r.queues],
      taskNames: [...r.taskNames],
    }));
  }
}
