import { compareStrings, insertSorted } from './sorted-insert.js';

/** A position in the order: a creation time and an id. */
export interface CreationCursor {
  readonly createdAt: number;
  readonly id: string;
}

interface OrderEntry {
  readonly createdAt: number;
  readonly id: string;
  live: boolean;
}

function compareOrder(a: CreationCursor, b: CreationCursor): number {
  return a.createdAt - b.createdAt || compareStrings(a.id, b.id);
}

/**
 * Non-terminal task ids sorted by (createdAt, id) for keyset paging. Appends are O(1) when tasks
 * arrive in creation order (the usual case); deletions are lazy and compacted in amortised O(1).
 */
export class CreationOrder {
  #entries: OrderEntry[] = [];
  #live = new Map<string, OrderEntry>();
  #stale = 0;

  add(id: string, createdAt: number): void {
    if (this.#live.has(id)) return;
    const entry: OrderEntry = { createdAt, id, live: true };
    insertSorted(this.#entries, entry, compareOrder);
    this.#live.set(id, entry);
  }

  delete(id: string): void {
    const entry = this.#live.get(id);
    if (entry === undefined) return;
    entry.live = false;
    this.#live.delete(id);
    this.#stale++;
    if (this.#stale > 1024 && this.#stale * 2 > this.#entries.length) this.#compact();
  }

  /** Up to `limit` live ids strictly after the cursor. */
  after(cursor: CreationCursor | undefined, limit: number): string[] {
    const entries = this.#entries;
    let lo = 0;
    if (cursor !== undefined) {
      let hi = entries.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (compareOrder(entries[mid] as OrderEntry, cursor) <= 0) lo = mid + 1;
        else hi = mid;
      }
    }
    const ids: string[] = [];
    for (let i = lo; i < entries.length && ids.length < limit; i++) {
      const entry = entries[i] as OrderEntry;
      if (entry.live) ids.push(entry.id);
    }
    return ids;
  }

  #compact(): void {
    this.#entries = this.#entries.filter((e) => e.live);
    this.#stale = 0;
  }
}
