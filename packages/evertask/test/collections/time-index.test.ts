import { describe, expect, it } from 'vitest';
import { CreationOrder } from '../../src/collections/creation-order.js';
import { earliestIndex, QueueTimeIndex } from '../../src/collections/queue-time-index.js';
import { TimeIndex } from '../../src/collections/time-index.js';

describe('TimeIndex', () => {
  it('yields the earliest time and, within a time, ids in insertion order across moves and deletes', () => {
    const index = new TimeIndex();
    index.set('a', 20);
    index.set('b', 10);
    index.set('c', 10);
    expect([index.peekTime(), index.peekId()]).toEqual([10, 'b']);
    index.set('b', 30);
    expect([index.peekTime(), index.peekId()]).toEqual([10, 'c']);
    index.delete('c');
    expect([index.peekTime(), index.peekId()]).toEqual([20, 'a']);
    expect(index.size).toBe(2);
    index.delete('a');
    index.delete('b');
    expect([index.peekTime(), index.peekId(), index.size]).toEqual([undefined, undefined, 0]);
  });

  it('keeps a bucket bounded when its ids churn', () => {
    const index = new TimeIndex();
    for (let i = 0; i < 10_000; i++) {
      index.set(`t${i}`, 5);
      if (i > 0) index.delete(`t${i - 1}`);
    }
    expect(index.size).toBe(1);
    expect(index.peekId()).toBe('t9999');
  });
});

describe('QueueTimeIndex', () => {
  it('keeps one index per queue and selects only the named queues', () => {
    const times = new QueueTimeIndex();
    times.move('a', 'mail', 'send', null, 'mail', 'send', 50);
    times.move('b', 'sms', 'send', null, 'sms', 'send', 10);
    expect(earliestIndex(times.select(['mail']))?.peekId()).toBe('a');
    expect(earliestIndex(times.select(undefined))?.peekId()).toBe('b');
    expect(times.select([])).toEqual([]);
    times.move('b', 'sms', 'send', 10, 'mail', 'send', 5);
    expect(times.select(['sms'])).toEqual([]);
    expect(earliestIndex(times.select(['mail']))?.peekId()).toBe('b');
    expect([...times.ids()].sort()).toEqual(['a', 'b']);
  });

  it('selects by task name within the selected queues', () => {
    const times = new QueueTimeIndex();
    times.move('a', 'mail', 'send', null, 'mail', 'send', 50);
    times.move('b', 'mail', 'bounce', null, 'mail', 'bounce', 10);
    times.move('c', 'sms', 'bounce', null, 'sms', 'bounce', 5);
    expect(earliestIndex(times.select(['mail'], ['send']))?.peekId()).toBe('a');
    expect(earliestIndex(times.select(undefined, ['bounce']))?.peekId()).toBe('c');
    expect(times.select(undefined, [])).toEqual([]);
    expect(times.select(['mail'], ['unknown'])).toEqual([]);
    times.move('a', 'mail', 'send', 50, 'mail', 'send', null);
    expect(times.select(['mail'], ['send'])).toEqual([]);
  });
});

describe('CreationOrder', () => {
  it('pages live ids by (createdAt, id) after a cursor, in any insertion order', () => {
    const order = new CreationOrder();
    order.add('b', 2);
    order.add('a', 2);
    order.add('z', 1);
    order.add('c', 3);
    order.delete('a');
    expect(order.after(undefined, 10)).toEqual(['z', 'b', 'c']);
    expect(order.after({ createdAt: 2, id: 'a' }, 10)).toEqual(['b', 'c']);
    expect(order.after({ createdAt: 2, id: 'b' }, 1)).toEqual(['c']);
  });

  it('compacts deleted entries without losing live ones', () => {
    const order = new CreationOrder();
    for (let i = 0; i < 5000; i++) order.add(`t${String(i).padStart(5, '0')}`, i);
    for (let i = 0; i < 4990; i++) order.delete(`t${String(i).padStart(5, '0')}`);
    expect(order.after(undefined, 100)).toHaveLength(10);
    expect(order.after(undefined, 1)).toEqual(['t04990']);
  });
});
