import type { PausedQueue, QueueStateChange } from '../../ports/queue-state.js';

/** The paused queues of a `MemoryStorage`: a map by name, which claims read as a set. */
export class MemoryQueueState {
  readonly #paused = new Map<string, PausedQueue>();
  readonly #pausedNames = new Set<string>();

  /** The names of the paused queues (what `claimDue` and `nextDueAt` leave out). */
  get names(): ReadonlySet<string> {
    return this.#pausedNames;
  }

  /** Pauses or resumes `queue`; returns whether its state changed (a second pause keeps the first record). */
  set(queue: string, paused: boolean, change: QueueStateChange): boolean {
    if (paused === this.#paused.has(queue)) return false;
    if (paused) {
      this.#paused.set(queue, { queue, pausedAt: change.at, pausedBy: change.actor });
      this.#pausedNames.add(queue);
    } else {
      this.#paused.delete(queue);
      this.#pausedNames.delete(queue);
    }
    return true;
  }

  /** The paused queues by name (copies). */
  list(): PausedQueue[] {
    return [...this.#paused.values()].map((entry) => ({ ...entry })).sort((a, b) => (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0));
  }
}
