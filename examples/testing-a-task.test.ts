// A test of a task with retries, on the in-memory storage and a manual clock (docs/testing.md).
import { describe, expect, it } from 'vitest';
import { EverTask, defineTask, linearRetry } from 'evertask';
import { ManualClock } from 'evertask/testing';

describe('charge-card', () => {
  it('retries a failed attempt one minute later, then completes', async () => {
    const clock = new ManualClock(); // time moves only when the test says so
    let calls = 0;
    const chargeCard = defineTask({
      name: 'charge-card',
      retry: linearRetry(2, '1m'),
      handler: async (payload: { cents: number }) => {
        calls++;
        if (calls === 1) throw new Error(`gateway down while charging ${payload.cents}`);
      },
    });
    const everTask = new EverTask({ tasks: [chargeCard], clock }); // MemoryStorage by default
    await everTask.start();

    const retrying = everTask.once('task:retrying');
    const id = await everTask.dispatch(chargeCard, { cents: 500 });
    expect(await retrying).toMatchObject({ taskId: id, attempt: 1, delayMs: 60_000 });
    expect(await everTask.getTask(id)).toMatchObject({ status: 'waiting', attempts: 1 });

    const completed = everTask.once('task:completed', (e) => e.taskId === id);
    await clock.advance(60_000); // the retry's minute, in no time
    await completed;
    expect(await everTask.getTask(id)).toMatchObject({ status: 'completed', attempts: 2 });
    expect(calls).toBe(2);
    await everTask.stop();
  });
});
