import { IndexedMinHeap } from './indexed-min-heap.js';

/** Ids sharing one time, in insertion order; removals are lazy (checked against `timeOf`). */
interface Bucket {
  ids: string[];
  head: number;
  live: number;
}

/**
 * Ids ordered by a time (due time or lease expiry), earliest first, ties in insertion order.
 *
 * An `IndexedMinHeap` orders the distinct times and each time keeps a bucket of its ids. Tasks
 * dispatched, claimed or renewed together share a time, so the heap stays small and most moves
 * are O(1); a move between distinct times costs O(log n).
 */
export class TimeIndex {
  readonly #times = new IndexedMinHeap<number>();
  readonly #buckets = new Map<number, Bucket>();
  readonly #timeOf = new Map<string, number>();

  get size(): number {
    return this.#timeOf.size;
  }

  set(id: string, time: number): void {
    const old = this.#timeOf.get(id);
    if (old === time) return;
    if (old !== undefined) this.#detach(old);
    this.#timeOf.set(id, time);
    let bucket = this.#buckets.get(time);
    if (bucket === undefined) {
      bucket = { ids: [], head: 0, live: 0 };
      this.#buckets.set(time, bucket);
      this.#times.set(time, time);
    }
    bucket.ids.push(id);
    bucket.live++;
  }

  delete(id: string): void {
    const old = this.#timeOf.get(id);
    if (old === undefined) return;
    this.#timeOf.delete(id);
    this.#detach(old);
  }

  /** The earliest time, or undefined when empty. */
  peekTime(): number | undefined {
    return this.#times.peekPriority();
  }

  /** The first id at the earliest time. */
  peekId(): string | undefined {
    const time = this.#times.peek();
    if (time === undefined) return undefined;
    const bucket = this.#buckets.get(time) as Bucket;
    while (bucket.head < bucket.ids.length) {
      const id = bucket.ids[bucket.head] as string;
      if (this.#timeOf.get(id) === time) return id;
      bucket.head++;
    }
    return undefined;
  }

  ids(): IterableIterator<string> {
    return this.#timeOf.keys();
  }

  #detach(time: number): void {
    const bucket = this.#buckets.get(time) as Bucket;
    bucket.live--;
    if (bucket.live === 0) {
      this.#buckets.delete(time);
      this.#times.delete(time);
    } else if (bucket.ids.length - bucket.head > 2 * bucket.live + 64) {
      this.#compact(bucket, time);
    }
  }

  /** Drops stale and duplicate entries so a bucket never grows far beyond its live ids. */
  #compact(bucket: Bucket, time: number): void {
    const seen = new Set<string>();
    const ids: string[] = [];
    for (let i = bucket.head; i < bucket.ids.length; i++) {
      const id = bucket.ids[i] as string;
      if (this.#timeOf.get(id) === time && !seen.has(id)) {
        seen.add(id);
        ids.push(id);
      }
    }
    bucket.ids = ids;
    bucket.head = 0;
  }
}
