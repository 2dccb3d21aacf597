import { expect, it } from 'vitest';
import type { EverTask } from '../ever-task.js';
import type { TaskStatus } from '../ports/task-record.js';
import { defineTask } from '../define-task.js';
import { noRetry } from '../retry/retry-policy.js';
import type { RetentionEngineHarness } from './retention-engine-conformance.js';

async function reach(engine: EverTask, id: string, status: TaskStatus, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = (await engine.getTask(id))?.status;
    if (current === status) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for task ${id} to be ${status} (is ${current})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The management actions across two engines on the same data (the second on a handle another
 * process would open): a queue paused by one is claimed by neither, a task retried by one runs on
 * the other.
 */
export function registerManagementEngineTests(h: RetentionEngineHarness): void {
  it('a queue paused by one engine is not claimed by another on the same data until it is resumed', async () => {
    const ran: string[] = [];
    const mail = defineTask({ name: 'mail', queue: 'mail', handler: (to: string) => void ran.push(to) });
    const sms = defineTask({ name: 'sms', queue: 'sms', handler: (to: string) => void ran.push(to) });
    const queues = { mail: {}, sms: {} };
    const a = h.engine({ tasks: [mail, sms], queues });
    await a.start();
    const b = h.engine({ tasks: [mail, sms], queues }, await h.reopen());
    await b.start();
    expect(await a.pauseQueue('mail', { actor: 'operator' })).toBe(true);
    const held = await b.dispatch(mail, 'held', { delay: 50 });
    const free = await b.dispatch(sms, 'free', { delay: 60 });
    // the claim round that ran the sms task left the paused queue's task alone
    await reach(b, free, 'completed');
    expect((await b.getTask(held))?.status).toBe('waiting');
    expect(await b.pausedQueues()).toMatchObject([{ queue: 'mail', pausedBy: 'operator' }]);
    expect(await a.resumeQueue('mail', { actor: 'operator' })).toBe(true);
    await reach(b, held, 'completed');
    expect(ran.sort()).toEqual(['free', 'held']);
  });

  it('a failed task retried by one engine runs on another, the actor in its history', async () => {
    let fail = true;
    const job = defineTask({
      name: 'job',
      retry: noRetry(),
      handler: () => {
        if (fail) throw new Error('not yet');
      },
    });
    const runner = h.engine({ tasks: [job] });
    await runner.start();
    const id = await runner.dispatch(job, null);
    await reach(runner, id, 'failed');
    fail = false;
    // this engine defines no task: it can retry the task but never run it
    const operator = h.engine({ tasks: [] }, await h.reopen());
    await operator.start();
    expect(await operator.retry(id, { actor: 'operator' })).toBe(true);
    await reach(runner, id, 'completed');
    const history = await h.storage().getStatusAudit(id);
    expect(history.map((row) => [row.status, row.actor])).toEqual([
      ['queued', null],
      ['in-progress', null],
      ['failed', null],
      ['waiting', 'operator'],
      ['in-progress', null],
      ['completed', null],
    ]);
    expect(history[2]?.error).toMatch(/not yet/);
  });
}
