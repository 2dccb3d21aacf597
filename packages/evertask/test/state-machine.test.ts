import { describe, expect, it } from 'vitest';
import { allowedSources, canTransition, isTerminal, TASK_STATUSES } from '../src/index.js';

describe('state machine', () => {
  it('makes completed, failed and cancelled final', () => {
    for (const terminal of ['completed', 'failed', 'cancelled'] as const) {
      expect(isTerminal(terminal)).toBe(true);
      for (const to of TASK_STATUSES) expect(canTransition(terminal, to)).toBe(false);
    }
    for (const active of ['waiting', 'queued', 'in-progress', 'service-stopped'] as const) expect(isTerminal(active)).toBe(false);
  });

  it('allows cancelling any unfinished task and completing only a started one', () => {
    expect([...allowedSources('cancelled')].sort()).toEqual(['in-progress', 'queued', 'service-stopped', 'waiting']);
    expect(allowedSources('completed')).toEqual(['in-progress']);
    expect(canTransition('waiting', 'in-progress')).toBe(false);
    expect(canTransition('queued', 'in-progress')).toBe(true);
    expect(canTransition('in-progress', 'waiting')).toBe(true); // a retry, or a recurring series between runs
  });
});
