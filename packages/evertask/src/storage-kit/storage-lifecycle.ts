/** What a storage's life cycle does at each step (see `StorageLifecycle`). */
export interface LifecycleSteps {
  /** Creates or checks the tables (migrations); run once per open. */
  prepare(): Promise<void>;
  /** Makes the connection usable again after `end` (an `open` after `close`). */
  reopen(): void;
  /** Ends the connection (and whatever else the storage holds open). */
  end(): Promise<void>;
}

/**
 * The open/close life cycle of a storage on a connection pool: `open` prepares once (concurrent
 * calls share one preparation; after a failed one the next call tries again), `close` ends once,
 * and an `open` after `close` reopens the connection before preparing again. The storage's own
 * `open` and `close` delegate to it.
 */
export class StorageLifecycle {
  readonly #steps: LifecycleSteps;
  #opened = false;
  #opening: Promise<void> | undefined;
  #closed = false;

  constructor(steps: LifecycleSteps) {
    this.#steps = steps;
  }

  async open(): Promise<void> {
    if (this.#opened) return;
    if (this.#closed) this.#steps.reopen();
    this.#closed = false;
    this.#opening ??= this.#steps.prepare().finally(() => {
      this.#opening = undefined;
    });
    await this.#opening;
    this.#opened = true;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#opened = false;
    await this.#steps.end();
  }
}
