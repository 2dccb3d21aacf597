import { describe, expect, it } from 'vitest';
import { IndexedMinHeap } from '../../src/collections/indexed-min-heap.js';

describe('IndexedMinHeap', () => {
  it('pops in priority order with FIFO ties, supports update and delete', () => {
    const heap = new IndexedMinHeap<string>();
    heap.set('a', 5);
    heap.set('b', 1);
    heap.set('c', 3);
    heap.set('d', 3);
    heap.set('e', 9);
    heap.set('a', 0); // move up
    heap.set('b', 10); // move down
    expect(heap.delete('e')).toBe(true);
    expect(heap.delete('zz')).toBe(false);
    expect(heap.size).toBe(4);
    expect(heap.priorityOf('b')).toBe(10);
    const out: string[] = [];
    for (let k = heap.pop(); k !== undefined; k = heap.pop()) out.push(k);
    expect(out).toEqual(['a', 'c', 'd', 'b']);
  });

  it('matches a sorted reference under random operations', () => {
    const heap = new IndexedMinHeap<number>();
    const ref = new Map<number, number>();
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 5000; i++) {
      const key = Math.floor(rand() * 500);
      const op = rand();
      if (op < 0.6) {
        const p = Math.floor(rand() * 1000);
        heap.set(key, p);
        ref.set(key, p);
      } else if (op < 0.8) {
        expect(heap.delete(key)).toBe(ref.delete(key));
      } else if (ref.size > 0) {
        const min = Math.min(...ref.values());
        expect(heap.peekPriority()).toBe(min);
        const k = heap.pop()!;
        expect(ref.get(k)).toBe(min);
        ref.delete(k);
      }
      expect(heap.size).toBe(ref.size);
    }
  });
});
