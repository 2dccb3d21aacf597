/**
 * A binary min-heap of keys ordered by a numeric priority (ties by insertion order), with a
 * key → position index so that insert, update, remove and pop are all O(log n) and `has`/`peek`
 * are O(1).
 */
export class IndexedMinHeap<K> {
  #keys: K[] = [];
  #priorities: number[] = [];
  #orders: number[] = [];
  #positions = new Map<K, number>();
  #counter = 0;

  get size(): number {
    return this.#keys.length;
  }

  has(key: K): boolean {
    return this.#positions.has(key);
  }

  priorityOf(key: K): number | undefined {
    const i = this.#positions.get(key);
    return i === undefined ? undefined : this.#priorities[i];
  }

  /** Inserts the key, or moves it to the new priority when present. */
  set(key: K, priority: number): void {
    const i = this.#positions.get(key);
    if (i === undefined) {
      const at = this.#keys.length;
      this.#keys.push(key);
      this.#priorities.push(priority);
      this.#orders.push(this.#counter++);
      this.#positions.set(key, at);
      this.#up(at);
      return;
    }
    const old = this.#priorities[i] as number;
    this.#priorities[i] = priority;
    if (priority < old) this.#up(i);
    else if (priority > old) this.#down(i);
  }

  /** Removes the key; returns false when absent. */
  delete(key: K): boolean {
    const i = this.#positions.get(key);
    if (i === undefined) return false;
    this.#removeAt(i);
    return true;
  }

  /** The key with the lowest priority, without removing it. */
  peek(): K | undefined {
    return this.#keys[0];
  }

  peekPriority(): number | undefined {
    return this.#priorities[0];
  }

  /** Removes and returns the key with the lowest priority. */
  pop(): K | undefined {
    if (this.#keys.length === 0) return undefined;
    const key = this.#keys[0] as K;
    this.#removeAt(0);
    return key;
  }

  clear(): void {
    this.#keys = [];
    this.#priorities = [];
    this.#orders = [];
    this.#positions.clear();
  }

  *keys(): IterableIterator<K> {
    yield* this.#keys;
  }

  #less(a: number, b: number): boolean {
    const pa = this.#priorities[a] as number;
    const pb = this.#priorities[b] as number;
    return pa < pb || (pa === pb && (this.#orders[a] as number) < (this.#orders[b] as number));
  }

  #swap(a: number, b: number): void {
    const keys = this.#keys;
    const ka = keys[a] as K;
    const kb = keys[b] as K;
    keys[a] = kb;
    keys[b] = ka;
    const p = this.#priorities;
    [p[a], p[b]] = [p[b] as number, p[a] as number];
    const o = this.#orders;
    [o[a], o[b]] = [o[b] as number, o[a] as number];
    this.#positions.set(kb, a);
    this.#positions.set(ka, b);
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    const n = this.#keys.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < n && this.#less(l, smallest)) smallest = l;
      if (r < n && this.#less(r, smallest)) smallest = r;
      if (smallest === i) break;
      this.#swap(i, smallest);
      i = smallest;
    }
  }

  #removeAt(i: number): void {
    const last = this.#keys.length - 1;
    const key = this.#keys[i] as K;
    if (i !== last) this.#swap(i, last);
    this.#keys.pop();
    this.#priorities.pop();
    this.#orders.pop();
    this.#positions.delete(key);
    if (i < this.#keys.length) {
      this.#up(i);
      this.#down(i);
    }
  }
}
