import { describe, expect, it } from 'vitest';
import { TaskLogCollector } from '../src/logs/task-logger.js';
import { silentLogger } from '../src/logger.js';

function collector(maxPerTask: number, maxMessageLength = 4000): TaskLogCollector {
  let now = 1_000;
  return new TaskLogCollector('task-1', 'demo', silentLogger, { enabled: true, minLevel: 'trace', maxPerTask, maxMessageLength }, () => now++);
}

describe('execution-log truncation', () => {
  it('keeps everything up to the cap, with no marker', () => {
    const log = collector(3);
    for (let i = 0; i < 3; i++) log.information('line {i}', i);
    expect(log.drain().map((e) => e.message)).toEqual(['line 0', 'line 1', 'line 2']);
  });

  it('keeps the first and the last entries around a marker counting the cut ones, in sorted order', () => {
    const log = collector(3);
    for (let i = 0; i < 10; i++) log.information('line {i}', i);
    log.error('fatal');
    const entries = log.drain();
    expect(entries.map((e) => e.message)).toEqual([
      'line 0',
      '[EverTask] 8 log entries cut here: maxPerTask (3) reached; the first 1 and the last 2 are kept',
      'line 9',
      'fatal',
    ]);
    const order = [...entries].sort((a, b) => a.at - b.at || a.sequence - b.sequence).map((e) => e.message);
    expect(order).toEqual(entries.map((e) => e.message));
  });

  it('with a cap of 1 keeps the last entry (the final error), and starts afresh after a drain', () => {
    const log = collector(1);
    log.information('start');
    log.information('middle');
    log.error('the error that matters');
    expect(log.drain().map((e) => e.message)).toEqual([
      '[EverTask] 2 log entries cut here: maxPerTask (1) reached; the first 0 and the last 1 are kept',
      'the error that matters',
    ]);
    log.information('next run');
    expect(log.drain().map((e) => e.message)).toEqual(['next run']);
  });
});

describe('message length cap', () => {
  it('keeps a message up to maxMessageLength as it is and cuts a longer one with a marker naming the cut', () => {
    const log = collector(10, 100);
    log.info('x'.repeat(100));
    log.info('y'.repeat(5000));
    const [whole, cut] = log.drain();
    expect(whole?.message).toBe('x'.repeat(100));
    expect(cut?.message.length).toBeLessThanOrEqual(100);
    expect(cut?.message).toMatch(/^y+… \[EverTask: \d+ characters cut, maxMessageLength 100\]$/);
    const kept = cut?.message.match(/^y+/)?.[0].length ?? 0;
    expect(Number(cut?.message.match(/(\d+) characters cut/)?.[1]) + kept).toBe(5000);
  });
});
