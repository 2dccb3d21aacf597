import { TimeIndex } from './time-index.js';

/**
 * One `TimeIndex` per (queue, task name), so that a claim restricted to some queues or to the
 * task names an instance can run never looks at the others.
 */
export class QueueTimeIndex {
  readonly #queues = new Map<string, Map<string, TimeIndex>>();

  /**
   * Moves `id` from where it was (`before` in `beforeQueue`/`beforeName`) to where it belongs now
   * (`after` in `afterQueue`/`afterName`); a null time means absent.
   */
  move(id: string, beforeQueue: string, beforeName: string, before: number | null, afterQueue: string, afterName: string, after: number | null): void {
    const samePlace = beforeQueue === afterQueue && beforeName === afterName;
    if (before !== null && (after === null || !samePlace)) {
      const names = this.#queues.get(beforeQueue);
      const index = names?.get(beforeName);
      if (names !== undefined && index !== undefined) {
        index.delete(id);
        if (index.size === 0) names.delete(beforeName);
        if (names.size === 0) this.#queues.delete(beforeQueue);
      }
    }
    if (after === null) return;
    let names = this.#queues.get(afterQueue);
    if (names === undefined) {
      names = new Map();
      this.#queues.set(afterQueue, names);
    }
    let index = names.get(afterName);
    if (index === undefined) {
      index = new TimeIndex();
      names.set(afterName, index);
    }
    index.set(id, after);
  }

  /**
   * The indexes of the given queues and task names (all when omitted; an empty list selects none),
   * leaving out the queues in `excluded` (the paused ones).
   */
  select(queues: readonly string[] | undefined, names?: readonly string[], excluded?: ReadonlySet<string>): TimeIndex[] {
    const selected: TimeIndex[] = [];
    const wanted = names === undefined ? undefined : new Set(names);
    const pick = (byName: Map<string, TimeIndex> | undefined): void => {
      if (byName === undefined) return;
      if (wanted === undefined) selected.push(...byName.values());
      else if (wanted.size < byName.size) {
        for (const name of wanted) {
          const index = byName.get(name);
          if (index !== undefined) selected.push(index);
        }
      } else for (const [name, index] of byName) if (wanted.has(name)) selected.push(index);
    };
    if (queues === undefined) {
      for (const [queue, byName] of this.#queues) if (excluded === undefined || !excluded.has(queue)) pick(byName);
    } else for (const queue of new Set(queues)) if (excluded === undefined || !excluded.has(queue)) pick(this.#queues.get(queue));
    return selected;
  }

  *ids(): IterableIterator<string> {
    for (const names of this.#queues.values()) for (const index of names.values()) yield* index.ids();
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
