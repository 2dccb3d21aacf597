import { describe, expect, it } from 'vitest';
import { defineTask, InvalidPayloadError, MemoryStorage } from '../../src/index.js';
import { createEngine, stopEnginesAfterEach, waitForStatus } from './helpers.js';

const track = stopEnginesAfterEach(100);
const chatty = defineTask({
  name: 'chatty',
  handler: (payload: { text: string }, ctx) => {
    ctx.logger.info(payload.text);
  },
});

describe('payload and log size limits', () => {
  it('refuses a payload over maxPayloadBytes naming its size and the option; nothing is stored', async () => {
    const storage = new MemoryStorage();
    const engine = track(createEngine({ storage, tasks: [chatty], maxPayloadBytes: 1000 }));
    await engine.start();
    // 400 three-byte characters: 400 UTF-16 units but 1200+ bytes
    const error = await engine.dispatch(chatty, { text: '€'.repeat(400) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidPayloadError);
    expect((error as Error).message).toMatch(/serialized payload is 12\d\d bytes, over maxPayloadBytes \(1000\)/);
    await expect(engine.dispatchMany(chatty, [{ text: 'ok' }, { text: 'x'.repeat(2000) }])).rejects.toThrow(/\[1\].*maxPayloadBytes/);
    expect((await storage.query({})).total).toBe(0);
    const id = await engine.dispatch(chatty, { text: 'x'.repeat(900) });
    await waitForStatus(engine, id, 'completed');
  });

  it('defaults to 1 MiB and refuses a bad limit', async () => {
    const engine = track(createEngine({ tasks: [chatty] }));
    await engine.start();
    await expect(engine.dispatch(chatty, { text: 'x'.repeat(1_048_576) })).rejects.toThrow(/over maxPayloadBytes \(1048576\)/);
    await engine.dispatch(chatty, { text: 'x'.repeat(1_000_000) });
    expect(() => createEngine({ tasks: [chatty], maxPayloadBytes: 0 })).toThrow(/maxPayloadBytes must be a positive integer/);
  });

  it('cuts a saved log message at defaults.logs.maxMessageLength with a marker', async () => {
    const engine = track(createEngine({ tasks: [chatty], defaults: { logs: { enabled: true, maxMessageLength: 200 } } }));
    await engine.start();
    const id = await engine.dispatch(chatty, { text: 'z'.repeat(10_000) });
    await waitForStatus(engine, id, 'completed');
    const [entry] = (await engine.getTaskLogs(id)).items;
    expect(entry?.message.length).toBeLessThanOrEqual(200);
    expect(entry?.message).toMatch(/characters cut, maxMessageLength 200\]$/);
  });
});
