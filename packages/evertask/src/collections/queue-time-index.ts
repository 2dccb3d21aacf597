import { TimeIndex } from './time-index.js';

/** One `TimeIndex` per queue, so a claim restricted to some queues never looks at the others. */
export class QueueTimeIndex {
  readonly #indexes = new Map<string, TimeIndex>();

  /** Moves `id` from where it was (`before`) to where it belongs now (`after`); null = absent. */
  move(id: string, beforeQueue: string, before: number | null, afterQueue: string, after: number | null): void {
    if (before !== null && (after === null || beforeQueue !== afterQueue)) {
      const index = this.#indexes.get(beforeQueue);
      if (index !== undefined) {
        index.delete(id);
        if (index.size === 0) this.#indexes.delete(beforeQueue);
      }
    }
    if (after === null) return;
    let index = this.#indexes.get(afterQueue);
    if (index === undefined) {
      index = new TimeIndex();
      this.#indexes.set(afterQueue, index);
    }
    index.set(id, after);
  }

  /** The indexes of the given queues (all when omitted). */
  select(queues: readonly string[] | undefined): TimeIndex[] {
    if (queues === undefined) return [...this.#indexes.values()];
    const selected: TimeIndex[] = [];
    for (const queue of new Set(queues)) {
      const index = this.#indexes.get(queue);
      if (index !== undefined) selected.push(index);
    }
    return selected;
  }

  *ids(): IterableIterator<string> {
    for (const index of this.#indexes.values()) yield* index.ids();
  }
}

/** The index among `indexes` with the earliest time, or undefined when all are empty. */
export function earliestIndex(indexes: readonly TimeIndex[]): TimeIndex | undefined {
  let best: TimeIndex | undefined;
  let bestTime = Infinity;
  for (const index of indexes) {
    const time = index.peekTime();
    if (time !== undefined && (best === undefined || time < bestTime)) {
      best = index;
      bestTime = time;
    }
  }
  return best;
}
