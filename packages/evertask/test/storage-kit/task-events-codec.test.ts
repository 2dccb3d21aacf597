import { describe, expect, it } from 'vitest';
import { FEED_ERROR_MAX_CHARS, decodeTaskEvents, encodeTaskEvents, truncateFeedError } from 'evertask/storage-kit';
import type { TaskEventEntry } from 'evertask';

const entry = (n: number, extra: Partial<TaskEventEntry> = {}): TaskEventEntry => ({
  type: 'task:completed',
  taskId: `0190aaaa-0000-7000-8000-${String(n).padStart(12, '0')}`,
  taskName: 'work',
  queue: 'default',
  status: 'completed',
  at: 1_700_000_000_000 + n,
  attempt: 1,
  ...extra,
});

const decodeAll = (payloads: string[]) => payloads.map((p) => decodeTaskEvents(JSON.parse(p) as Record<string, unknown>));

describe('the task-events codec', () => {
  it('round-trips a batch, splitting it into payloads within the byte limit, in order', () => {
    const events = Array.from({ length: 100 }, (_, n) => entry(n, n % 7 === 0 ? { type: 'task:failed', status: 'failed', error: 'é'.repeat(50) } : {}));
    const payloads = encodeTaskEvents({ kind: 'task-events', instanceId: 'node-1', events }, 2000);
    expect(payloads.length).toBeGreaterThan(5);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(2000);
    const decoded = decodeAll(payloads);
    expect(decoded.every((n) => n.kind === 'task-events' && n.instanceId === 'node-1' && n.rejected === undefined && n.omitted === undefined)).toBe(true);
    expect(decoded.flatMap((n) => n.events ?? [])).toEqual(events);
  });

  it('leaves out an entry too large for one payload and reports the count on the last payload, with the sender\'s own', () => {
    const events = [entry(1), entry(2, { taskName: 'n'.repeat(190), queue: 'q'.repeat(190) }), entry(3)];
    const payloads = encodeTaskEvents({ kind: 'task-events', instanceId: 'node-1', events, omitted: 4 }, 350);
    const decoded = decodeAll(payloads);
    expect(decoded.flatMap((n) => n.events ?? []).map((e) => e.at)).toEqual([events[0]!.at, events[2]!.at]);
    expect(decoded.map((n) => n.omitted ?? 0)).toEqual([...decoded.slice(1).map(() => 0), 5]);
    expect(encodeTaskEvents({ kind: 'task-events', instanceId: 'x', events: [] }, 8000)).toEqual([]);
    expect(decodeAll(encodeTaskEvents({ kind: 'task-events', instanceId: 'x', events: [], omitted: 2 }, 8000))).toEqual([{ kind: 'task-events', instanceId: 'x', events: [], omitted: 2 }]);
  });

  it('drops and counts malformed entries; rejects a payload without a sender or an entry list', () => {
    const good = JSON.parse(encodeTaskEvents({ kind: 'task-events', instanceId: 'a', events: [entry(1)] }, 8000)[0]!) as { events: unknown[][] };
    const row = good.events[0]!;
    const bad = [
      ['task:exploded', ...row.slice(1)],
      [row[0], '', ...row.slice(2)],
      [...row.slice(0, 4), 'sleeping', ...row.slice(5)],
      [...row.slice(0, 5), 'yesterday', ...row.slice(6)],
      [...row.slice(0, 6), -1, null],
      [...row.slice(0, 7), 'e'.repeat(FEED_ERROR_MAX_CHARS + 1)],
      row.slice(1),
      { type: 'task:completed' },
      null,
    ];
    const decoded = decodeTaskEvents({ kind: 'task-events', instanceId: 'a', events: [row, ...bad] });
    expect(decoded.events).toEqual([entry(1)]);
    expect(decoded.rejected).toBe(bad.length);
    expect(decodeTaskEvents({ kind: 'task-events', events: [row] })).toEqual({ kind: 'task-events', events: [], rejected: 1 });
    expect(decodeTaskEvents({ kind: 'task-events', instanceId: 'a', events: 'x' })).toEqual({ kind: 'task-events', events: [], rejected: 1 });
    expect(decodeTaskEvents({ kind: 'task-events', instanceId: 7, events: [row, row] })).toEqual({ kind: 'task-events', events: [], rejected: 2 });
  });

  it('cuts long error messages', () => {
    expect(truncateFeedError('short')).toBe('short');
    const cut = truncateFeedError('x'.repeat(1000));
    expect(cut).toHaveLength(FEED_ERROR_MAX_CHARS);
    expect(cut.endsWith('…')).toBe(true);
  });
});
