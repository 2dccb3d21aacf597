import { describe, expect, it } from 'vitest';
import { defineTask, MemoryStorage } from '../../src/index.js';
import { makeStoredTask } from '../../src/testing/index.js';
import { createEngine, stopEnginesAfterEach, until } from './helpers.js';

const track = stopEnginesAfterEach();

describe('claiming stored work', () => {
  it('short async handlers are claimed in full batches, with no claim for an idle queue while another is momentarily full', async () => {
    const storage = new MemoryStorage();
    await storage.open();
    const total = 1280;
    const now = Date.now();
    await storage.add(
      Array.from({ length: total }, (_, i) => makeStoredTask({ name: 'noop', payload: JSON.stringify({ i }), createdAt: now - total + i, dueAt: now })),
      { audit: false },
    );
    const claims: { limit: number; got: number; queues: readonly string[] | undefined }[] = [];
    const claimDue = storage.claimDue.bind(storage);
    storage.claimDue = async (options) => {
      const got = await claimDue(options);
      claims.push({ limit: options.limit, got: got.length, queues: options.queues });
      return got;
    };
    let ran = 0;
    const noop = defineTask({ name: 'noop', handler: async () => void ran++ });
    const engine = track(createEngine({ storage, tasks: [noop], queues: { default: { concurrency: 16 } } }));
    await engine.start();
    await until(() => ran === total, 20_000);
    // each claim round lets the batch it handed out start first, so every claim asks for the
    // appetite of every queue at once and gets a full batch until the storage runs dry
    const beforeDry = claims.slice(0, claims.findIndex((c) => c.got < c.limit));
    expect(beforeDry.length).toBeGreaterThan(0);
    expect(beforeDry.every((c) => c.queues === undefined && c.got === c.limit)).toBe(true);
    expect(claims.filter((c) => c.got === 0 && c.queues !== undefined)).toEqual([]);
  });
});
