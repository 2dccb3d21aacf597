import type { RateLimitDecision, RateLimitIntrospection, RateLimitRequest, RateLimitStore } from '../ports/rate-limit-store.js';
import { toError } from '../errors.js';

interface Waiter {
  request: RateLimitRequest;
  resolve: (decision: RateLimitDecision) => void;
  reject: (error: Error) => void;
}

/**
 * The engine's way to a `RateLimitStore`: the acquisitions asked for within one tick go out as one
 * `acquire` call (one round trip on a database store); the next batch gathers while one is in
 * flight. Counts the fail-open starts of this engine.
 */
export class RateLimitGate {
  readonly store: RateLimitStore;
  /** True when the budgets are the storage's (shared by every process on it). */
  readonly shared: boolean;
  #batch: Waiter[] = [];
  #inFlight = false;
  #scheduled = false;
  #failOpen = 0;

  constructor(store: RateLimitStore, shared: boolean) {
    this.store = store;
    this.shared = shared;
  }

  /** Resolves with the store's decision for `request` (rejects with the store's error). */
  acquire(request: RateLimitRequest): Promise<RateLimitDecision> {
    return new Promise((resolve, reject) => {
      this.#batch.push({ request, resolve, reject });
      this.#schedule();
    });
  }

  /** Counts one fail-open start; returns the running count. */
  failedOpen(): number {
    return ++this.#failOpen;
  }

  /** Tasks run unthrottled by this engine since it was created. */
  get failOpenCount(): number {
    return this.#failOpen;
  }

  release(reservationId: string): Promise<void> {
    return this.store.release(reservationId);
  }

  introspect(limit?: number): Promise<RateLimitIntrospection> {
    return this.store.introspect(limit);
  }

  #schedule(): void {
    if (this.#inFlight || this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#batch;
    if (batch.length === 0) return;
    this.#batch = [];
    this.#inFlight = true;
    try {
      const decisions = await this.store.acquire(batch.map((w) => w.request));
      batch.forEach((w, i) => {
        const decision = decisions[i];
        if (decision === undefined) w.reject(new Error(`The rate-limit store answered ${decisions.length} of ${batch.length} requests.`));
        else w.resolve(decision);
      });
    } catch (error) {
      for (const w of batch) w.reject(toError(error));
    } finally {
      this.#inFlight = false;
      if (this.#batch.length > 0) this.#schedule();
    }
  }
}
