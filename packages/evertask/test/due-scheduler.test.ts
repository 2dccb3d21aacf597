import { describe, expect, it } from 'vitest';
import { DueScheduler } from '../src/scheduler/due-scheduler.js';
import { ManualClock } from '../src/testing/index.js';

describe('DueScheduler', () => {
  it('keeps one timer at the earliest due time across many tasks sharing times, moves and removals', async () => {
    const clock = new ManualClock(0);
    let woken = 0;
    const scheduler = new DueScheduler(clock, () => woken++);
    for (let i = 0; i < 1000; i++) scheduler.schedule(`a${i}`, 5000);
    for (let i = 0; i < 10; i++) scheduler.schedule(`b${i}`, 2000);
    expect(scheduler.size).toBe(1010);
    expect(scheduler.nextAt()).toBe(2000);
    // moving and forgetting the earliest ones brings the next time forward
    for (let i = 0; i < 9; i++) scheduler.unschedule(`b${i}`);
    scheduler.schedule('b9', 7000);
    scheduler.schedule('b9', 7000); // same time again: no change
    expect(scheduler.nextAt()).toBe(5000);
    expect(scheduler.size).toBe(1001);
    await clock.advance(4999);
    expect(woken).toBe(0);
    await clock.advance(1);
    expect(woken).toBe(1);
    const due = scheduler.takeDue(clock.now());
    expect(due).toHaveLength(1000);
    expect(new Set(due)).toEqual(new Set(Array.from({ length: 1000 }, (_, i) => `a${i}`)));
    expect(scheduler.size).toBe(1);
    expect(scheduler.nextAt()).toBe(7000);
    scheduler.unschedule('b9');
    scheduler.unschedule('missing');
    expect(scheduler.nextAt()).toBeUndefined();
    scheduler.hint(9000);
    expect(scheduler.nextAt()).toBe(9000);
    scheduler.stop();
  });
});
