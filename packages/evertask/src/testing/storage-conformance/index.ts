import { afterEach, describe, expect, it } from 'vitest';
import type { TaskStorage } from '../../ports/task-storage.js';
import type { ConformanceTest } from './fixtures.js';
import { registerAddTests, registerCrudTests, registerSeedTests } from './tasks.js';
import { registerReplacementTests } from './replacement.js';
import { registerTransitionTests } from './transitions.js';
import { registerClaimTests, registerNextDueTests } from './claims.js';
import { registerPendingTests, registerQueryTests } from './reads.js';
import { registerHistoryTests } from './history.js';
import { registerStatisticsTests } from './statistics.js';
import { registerCleanupTests } from './retention.js';
import { registerCleanupCountTests } from './retention-counts.js';
import { registerLifecycleTests } from './lifecycle.js';
import { registerNotificationTests } from './notifications.js';
import { registerInstanceTests } from './instances.js';
import { registerRateLimitTests } from './rate-limits.js';
import { registerContractTests } from './contract.js';
import { registerQueueStateTests } from './queue-state.js';

export { makeStoredTask } from './fixtures.js';

/** Options of {@link describeStorageConformance}. */
export interface ConformanceOptions {
  /**
   * Tests to skip, by exact title, each with the written reason (shown in the test report). A
   * title that names no test of the suite fails the suite, so a typo never hides a test.
   * @defaultValue `{}`
   */
  skip?: Record<string, string>;
  /**
   * Called after each test, once the storage is closed, to drop what the test created (a schema,
   * a database file, a key prefix).
   * @defaultValue none
   */
  destroy?: (storage: TaskStorage) => Promise<void>;
}

/**
 * Registers the whole storage contract with vitest. Call it at the top level of a test file:
 *
 * ```ts
 * describeStorageConformance('MyStorage', () => new MyStorage({ ... }), {
 *   skip: { 'claims are exclusive under concurrent claimers': 'single connection in this test setup' },
 *   destroy: async (storage) => dropTestSchema(storage),
 * });
 * ```
 *
 * Each test gets a fresh, empty storage from `createStorage()` (tests count what they stored), opened
 * before the test and closed after it (then passed to `destroy`). Optional behaviour is tested according to
 * `storage.capabilities`, never according to the class.
 */
export function describeStorageConformance(
  name: string,
  createStorage: () => TaskStorage | Promise<TaskStorage>,
  options: ConformanceOptions = {},
): void {
  const skip = options.skip ?? {};
  const titles = new Set<string>();
  let current: TaskStorage | undefined;

  const acquire = async (): Promise<TaskStorage> => {
    const storage = await createStorage();
    current = storage;
    await storage.open();
    return storage;
  };

  const test = (title: string, body: ConformanceTest): void => {
    if (titles.has(title)) throw new Error(`Duplicate conformance test title: ${title}`);
    titles.add(title);
    const reason = skip[title];
    it(title, async (context) => {
      if (reason !== undefined) context.skip(`skipped by the adapter: ${reason}`);
      await body(await acquire(), context);
    });
  };

  describe(`TaskStorage conformance: ${name}`, () => {
    afterEach(async () => {
      const storage = current;
      current = undefined;
      if (storage === undefined) return;
      await storage.close();
      await options.destroy?.(storage);
    });

    describe('seed: custom storage tests', () => registerSeedTests(test));
    describe('add', () => registerAddTests(test));
    describe('get, update, remove', () => registerCrudTests(test));
    describe('replace', () => registerReplacementTests(test));
    describe('transition', () => registerTransitionTests(test));
    describe('claimDue and leases', () => registerClaimTests(test));
    describe('nextDueAt', () => registerNextDueTests(test));
    describe('pending and scheduled', () => registerPendingTests(test));
    describe('query and count', () => registerQueryTests(test));
    describe('history', () => registerHistoryTests(test));
    describe('statistics', () => registerStatisticsTests(test));
    describe('cleanup', () => registerCleanupTests(test));
    describe('cleanup counts', () => registerCleanupCountTests(test));
    describe('lifecycle and validation', () => registerLifecycleTests(test));
    describe('the values a storage accepts', () => registerContractTests(test));
    describe('notifications', () => registerNotificationTests(test));
    describe('instance registry', () => registerInstanceTests(test));
    describe('rate-limit budgets', () => registerRateLimitTests(test));
    describe('paused queues', () => registerQueueStateTests(test));

    it('skip list names only tests of this suite, each with a reason', () => {
      const unknown = Object.keys(skip).filter((title) => !titles.has(title));
      expect(unknown, 'skip entries that match no conformance test title').toEqual([]);
      const unexplained = Object.entries(skip).filter(([, reason]) => typeof reason !== 'string' || reason.trim() === '');
      expect(unexplained.map(([title]) => title), 'skip entries without a reason').toEqual([]);
    });
  });
}

