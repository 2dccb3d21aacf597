/**
 * Failed logins per client address in a fixed window: past `maxAttempts` failures the address is
 * refused (429) until the window that holds them ends. A success clears the address's count.
 * Memory is bounded: at most `maxTracked` addresses, the oldest forgotten first.
 */
export class LoginLimiter {
  readonly #maxAttempts: number;
  readonly #windowMs: number;
  readonly #maxTracked: number;
  readonly #failures = new Map<string, { count: number; windowStart: number }>();

  constructor(maxAttempts: number, windowMs: number, maxTracked = 10_000) {
    this.#maxAttempts = maxAttempts;
    this.#windowMs = windowMs;
    this.#maxTracked = maxTracked;
  }

  /** Milliseconds until `address` may try again, or 0 when it may now. */
  retryAfter(address: string, now: number): number {
    const entry = this.#failures.get(address);
    if (entry === undefined) return 0;
    const windowEnd = entry.windowStart + this.#windowMs;
    if (windowEnd <= now) {
      this.#failures.delete(address);
      return 0;
    }
    return entry.count >= this.#maxAttempts ? windowEnd - now : 0;
  }

  recordFailure(address: string, now: number): void {
    const entry = this.#failures.get(address);
    if (entry === undefined || entry.windowStart + this.#windowMs <= now) {
      this.#failures.delete(address);
      this.#failures.set(address, { count: 1, windowStart: now });
      if (this.#failures.size > this.#maxTracked) this.#failures.delete(this.#failures.keys().next().value as string);
      return;
    }
    entry.count++;
  }

  recordSuccess(address: string): void {
    this.#failures.delete(address);
  }
}
