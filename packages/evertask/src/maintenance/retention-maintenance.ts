import type { TimerHandle } from '../clock.js';
import type { EngineContext } from '../engine-context.js';
import type { InstanceRegistration } from '../scheduler/instance-registration.js';
import type { ResolvedRetention } from './retention-options.js';
import { toError } from '../errors.js';
import { retentionPolicyAt } from './retention-options.js';

/**
 * Applies the `retention` option: a pass at start, then one every `interval` (a timer re-armed
 * after each pass, so passes never overlap). Of all the engines sharing the storage only one
 * deletes: the alive instance of the registry with the earliest start (ties by id). Each engine
 * checks at its own pass whether that is itself, so when the runner stops (its record is removed)
 * or crashes (its record expires) the next one takes the duty over at its next pass; on a storage
 * without a registry each engine is its own runner. Internal to the engine.
 */
export class RetentionMaintenance {
  readonly #ctx: EngineContext;
  readonly #retention: ResolvedRetention | undefined;
  /** The instance registry, read to find which engine deletes. */
  readonly #registry: Pick<InstanceRegistration, 'list'>;
  #timer: TimerHandle | undefined;
  #pass: Promise<void> = Promise.resolve();

  constructor(ctx: EngineContext, registry: Pick<InstanceRegistration, 'list'>) {
    this.#ctx = ctx;
    this.#retention = ctx.options.retention;
    this.#registry = registry;
  }

  /** Runs the first pass (not awaited) and arms the timer; a no-op without `retention`. */
  start(): void {
    if (this.#retention === undefined) return;
    this.#pass = this.#run(this.#retention);
  }

  /** Disarms the timer and waits for a pass under way. */
  async stop(): Promise<void> {
    this.#ctx.options.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    await this.#pass;
  }

  async #run(retention: ResolvedRetention): Promise<void> {
    const { clock } = this.#ctx.options;
    try {
      if (await this.#isRunner()) await this.#apply(retention, clock.now());
    } finally {
      if (this.#ctx.isRunning()) {
        this.#timer = clock.setTimer(() => {
          this.#pass = this.#run(retention);
        }, retention.intervalMs);
      }
    }
  }

  /** True when this engine is the earliest-started alive instance (registry order is start, then id). */
  async #isRunner(): Promise<boolean> {
    try {
      const runner = (await this.#registry.list()).find((instance) => instance.alive);
      return runner?.self === true;
    } catch (error) {
      this.#report('listInstances', error);
      return false;
    }
  }

  async #apply(retention: ResolvedRetention, now: number): Promise<void> {
    const policy = retentionPolicyAt(retention, now);
    try {
      const removed = await this.#ctx.storage.cleanup(policy);
      this.#ctx.options.logger.info(
        `Retention removed ${removed.tasks} finished tasks, ${removed.audits} audit rows and ${removed.logs} log entries.`,
        { ...removed, policy },
      );
      this.#ctx.emitter.emit('retention:run', { ...removed, policy, at: now });
    } catch (error) {
      this.#report('cleanup', error);
    }
  }

  /** A failed pass is reported and tried again at the next interval. */
  #report(operation: string, error: unknown): void {
    const err = toError(error);
    this.#ctx.options.logger.error(`Retention ${operation} failed; trying again at the next interval: ${err.message}`, { error: err });
    this.#ctx.emitter.emit('storage:error', { operation, error: err, willRetry: true, at: this.#ctx.options.clock.now() });
  }
}
