import { describe, expect, it } from 'vitest';
import { DeadlineTimers } from '../src/scheduler/deadline-timers.js';
import { ManualClock } from '../src/testing/index.js';

describe('DeadlineTimers', () => {
  it('fires each deadline at its time, never before, in order per duration, on one clock timer', async () => {
    const clock = new ManualClock(0);
    const timers = new DeadlineTimers(clock);
    const fired: string[] = [];
    for (let i = 0; i < 1000; i++) timers.add(500, () => fired.push(`long${i}`));
    timers.add(100, () => fired.push('short'));
    await clock.advance(10);
    timers.add(100, () => fired.push('short2')); // due at 110
    expect(timers.size).toBe(1002);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(89); // t = 99
    expect(fired).toEqual([]);
    await clock.advance(1); // t = 100
    expect(fired).toEqual(['short']);
    await clock.advance(10); // t = 110
    expect(fired).toEqual(['short', 'short2']);
    await clock.advance(389); // t = 499
    expect(fired).toHaveLength(2);
    await clock.advance(1); // t = 500
    expect(fired.slice(2)).toEqual(Array.from({ length: 1000 }, (_, i) => `long${i}`));
    expect(timers.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('arms the clock timer earlier when a shorter deadline comes after a longer one', async () => {
    const clock = new ManualClock(0);
    const timers = new DeadlineTimers(clock);
    const fired: number[] = [];
    timers.add(1000, () => fired.push(clock.now()));
    timers.add(50, () => fired.push(clock.now()));
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(50);
    expect(fired).toEqual([50]);
    await clock.advance(950);
    expect(fired).toEqual([50, 1000]);
  });

  it('counts from the given start when one is passed', async () => {
    const clock = new ManualClock(0);
    const timers = new DeadlineTimers(clock);
    const fired: number[] = [];
    await clock.advance(30);
    timers.add(100, () => fired.push(clock.now()), 0); // started at 0: due at 100, not 130
    await clock.advance(69);
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toEqual([100]);
  });

  it('never fires a cancelled deadline, drops the clock timer when none is left, and keeps the others', async () => {
    const clock = new ManualClock(0);
    const timers = new DeadlineTimers(clock);
    const fired: number[] = [];
    const deadlines = Array.from({ length: 5000 }, (_, i) => timers.add(100, () => fired.push(i)));
    // cancel all but every 1000th, out of order (also compacts the lane)
    for (let i = deadlines.length - 1; i >= 0; i--) if (i % 1000 !== 0) timers.cancel(deadlines[i] as (typeof deadlines)[number]);
    timers.cancel(deadlines[1] as (typeof deadlines)[number]); // twice: no effect
    expect(timers.size).toBe(5);
    await clock.advance(100);
    expect(fired).toEqual([0, 1000, 2000, 3000, 4000]);
    timers.cancel(deadlines[0] as (typeof deadlines)[number]); // already fired: no effect
    expect(timers.size).toBe(0);

    const only = timers.add(100, () => fired.push(-1));
    expect(clock.pendingTimers).toBe(1);
    timers.cancel(only);
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(1000);
    expect(fired).toHaveLength(5);
  });

  it('runs the other due callbacks when one throws, and rethrows that error', async () => {
    const clock = new ManualClock(0);
    const timers = new DeadlineTimers(clock);
    const fired: string[] = [];
    const uncaught: unknown[] = [];
    const listener = (error: unknown) => uncaught.push(error);
    const previous = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', listener);
    try {
      const failure = new Error('handler bug');
      timers.add(10, () => {
        throw failure;
      });
      timers.add(10, () => fired.push('second'));
      await clock.advance(10);
      expect(fired).toEqual(['second']);
      expect(uncaught).toEqual([failure]);
    } finally {
      process.off('uncaughtException', listener);
      for (const l of previous) process.on('uncaughtException', l);
    }
  });
});
