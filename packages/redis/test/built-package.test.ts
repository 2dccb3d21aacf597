/**
 * The package as published: `npm run build` compiles to dist/ and copies the .lua scripts next to
 * the compiled loader; plain Node (no source condition, no tsx) imports it, opens a storage (which
 * loads every script) and runs a task through add, claim and transition.
 */
import { rmSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { runBuiltPackage } from '../../evertask/test/support/built-package.js';
import { REDIS_URL, deletePrefix, describeWithRedis, testPrefix } from './redis-test-helpers.js';

const describeRedis = await describeWithRedis();

/** Opens a storage from the built package and runs one task through its scripts. */
const RUN_BUILT_PACKAGE = `
const { RedisStorage } = await import('@evertask/redis');
const { newStoredTask, uuidv7 } = await import('evertask');
const resolved = import.meta.resolve('@evertask/redis');
const storage = new RedisStorage({ url: process.env.REDIS_URL, prefix: process.env.PREFIX });
await storage.open();
const now = Date.now();
const task = newStoredTask({ id: uuidv7(now), name: 'built', payload: '{}', createdAt: now });
await storage.add([task]);
const claimed = await storage.claimDue({ owner: 'o', now, limit: 5, leaseMs: 1000 });
const applied = await storage.transition([{ id: task.id, from: ['queued'], owner: 'o', to: 'completed', at: now }]);
const stored = await storage.get(task.id);
await storage.close();
console.log(JSON.stringify({ resolved, claimed: claimed.map((t) => t.id), applied, status: stored.status, same: claimed[0].id === task.id }));
`;

describeRedis('the built @evertask/redis', () => {
  const prefix = testPrefix('built');
  afterAll(async () => deletePrefix(prefix));

  it('finds its scripts in dist and runs them when run by plain Node', { timeout: 180_000 }, () => {
    // a stale copy from an earlier build must not make this pass
    rmSync(new URL('../dist/scripts/', import.meta.url), { recursive: true, force: true });
    const result = runBuiltPackage<{ resolved: string; claimed: string[]; applied: boolean[]; status: string; same: boolean }>('packages/redis', RUN_BUILT_PACKAGE, {
      REDIS_URL,
      PREFIX: prefix,
    });
    expect(result.resolved).toMatch(/\/packages\/redis\/dist\/index\.js$/);
    expect(result).toMatchObject({ applied: [true], status: 'completed', same: true });
    expect(result.claimed).toHaveLength(1);
  });
});
