import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeStoredTask } from 'evertask/testing';
import type { TaskStorage } from 'evertask';
import { anything, ourErrorOrSuccess, RUNS } from '../property/arbitraries.js';

/** A filter whose fields hold right-shaped values, odd values or injection text. */
export const arbitraryFilter = fc.record(
  {
    ids: fc.oneof(fc.array(fc.oneof(fc.uuid(), fc.string()), { maxLength: 3 }), anything),
    statuses: fc.oneof(fc.subarray(['waiting', 'queued', 'in-progress', 'completed', 'failed', 'cancelled', 'service-stopped'] as const), fc.array(fc.string(), { maxLength: 2 }), anything),
    name: fc.oneof(fc.string(), anything),
    nameContains: fc.oneof(fc.string(), fc.constantFrom('%', '_', '\\', "' OR 1=1 --"), anything),
    queue: fc.oneof(fc.string(), anything),
    taskKey: fc.oneof(fc.string(), anything),
    recurring: anything,
    createdAfter: fc.oneof(fc.integer(), anything),
    createdBefore: fc.oneof(fc.integer(), anything),
    search: fc.oneof(fc.string(), fc.constantFrom('%', '_', "'; DROP TABLE tasks; --", '"', '\\'), anything),
    dueBefore: fc.oneof(fc.integer(), anything),
    unknownField: anything,
  },
  { requiredKeys: [] },
);

/** A filter of right-shaped values only (any strings, instants, statuses), so the query reaches the database. */
export const wellTypedFilter = fc.record(
  {
    statuses: fc.subarray(['waiting', 'queued', 'in-progress', 'completed', 'failed', 'cancelled', 'service-stopped'] as const, { minLength: 1 }),
    name: fc.string({ minLength: 1, maxLength: 30 }),
    nameContains: fc.string({ maxLength: 30 }),
    queue: fc.string({ minLength: 1, maxLength: 30 }),
    taskKey: fc.string({ minLength: 1, maxLength: 30 }),
    recurring: fc.boolean(),
    createdAfter: fc.integer({ min: 0, max: 2_000_000_000_000 }),
    createdBefore: fc.integer({ min: 0, max: 2_000_000_000_000 }),
    search: fc.string({ maxLength: 30 }),
  },
  { requiredKeys: [] },
);

/** Paging with right-shaped values, negatives, huge numbers, unknown sort fields and odd values. */
export const arbitraryPage = fc.oneof(
  fc.constant(undefined),
  anything,
  fc.record(
    {
      offset: fc.oneof(fc.integer({ min: -5, max: 50 }), anything),
      limit: fc.oneof(fc.integer({ min: -5, max: 2000 }), anything),
      sortBy: fc.oneof(fc.constantFrom('createdAt', 'updatedAt', 'dueAt', 'lastExecutionAt', 'status', 'name', 'queue', 'payload', 'id; DROP TABLE x'), anything),
      descending: anything,
    },
    { requiredKeys: [] },
  ),
);

/** What a storage holds, compared before and after refused calls. */
async function snapshot(storage: TaskStorage): Promise<unknown> {
  const { items, total } = await storage.query({}, { limit: 1000 });
  return { total, items: items.map((t) => ({ ...t })) };
}

/**
 * Property-based checks of a storage's port methods: for any input every read and write either
 * works or throws an `EverTaskError` with a code, and a refused write leaves the storage as it was.
 * `open` returns an open storage with no tasks; `close` releases it.
 */
export function describeStoragePortProperties(label: string, open: () => Promise<TaskStorage>, close: (storage: TaskStorage) => Promise<void>): void {
  describe(`${label} port methods, any input`, () => {
    it('query and count take any filter and page: results, or an EverTaskError; nothing changes', async () => {
      const storage = await open();
      try {
        await storage.add([makeStoredTask({ name: 'seed', payload: '{"a":1}' }), makeStoredTask({ name: 'seed-2', payload: '"%_\\\\"' })]);
        const before = await snapshot(storage);
        await fc.assert(
          fc.asyncProperty(fc.oneof(wellTypedFilter, arbitraryFilter), arbitraryPage, async (filter, page) => {
            const outcome = await ourErrorOrSuccess(() => storage.query(filter as never, page as never));
            await ourErrorOrSuccess(() => storage.count(filter as never));
            if (outcome.ok) expect(await snapshot(storage)).toEqual(before);
          }),
          RUNS,
        );
        expect(await snapshot(storage)).toEqual(before);
      } finally {
        await close(storage);
      }
    });

    it('reads by id, key and logs take any argument', async () => {
      const storage = await open();
      try {
        await fc.assert(
          fc.asyncProperty(anything, anything, anything, anything, async (a, b, c, d) => {
            await ourErrorOrSuccess(() => storage.get(a as never));
            await ourErrorOrSuccess(() => storage.getByTaskKey(a as never));
            await ourErrorOrSuccess(() => storage.getStatusAudit(a as never));
            await ourErrorOrSuccess(() => storage.getRunAudit(a as never));
            await ourErrorOrSuccess(() => storage.getExecutionLogs(a as never, b as never, c as never, d as never));
            await ourErrorOrSuccess(() => storage.nextDueAt(a as never, b as never));
          }),
          { numRuns: 100 },
        );
      } finally {
        await close(storage);
      }
    });

    it('a refused add, update or remove leaves the storage as it was', async () => {
      const storage = await open();
      try {
        const kept = makeStoredTask({ name: 'kept', taskKey: 'kept-key' });
        await storage.add([kept]);
        const before = await snapshot(storage);
        const badField = fc.constantFrom('id', 'name', 'queue', 'status', 'payload', 'createdAt', 'dueAt', 'taskKey', 'attempt', 'leaseOwner', 'unknownField');
        await fc.assert(
          fc.asyncProperty(badField, anything, async (field, value) => {
            const task = { ...makeStoredTask({ name: 'new-one' }), [field]: value };
            const added = await ourErrorOrSuccess(() => storage.add([task as never]));
            const updated = await ourErrorOrSuccess(() => storage.update(kept.id, { [field]: value } as never));
            if (!added.ok && !updated.ok) expect(await snapshot(storage)).toEqual(before);
            // put the storage back as it was for the next run
            if (added.ok) await storage.remove(task.id as string);
            if (updated.ok) {
              await storage.remove(kept.id);
              await storage.add([kept]);
            }
            await ourErrorOrSuccess(() => storage.remove(value as never));
          }),
          { numRuns: 120 },
        );
        expect(await snapshot(storage)).toEqual(before);
      } finally {
        await close(storage);
      }
    });
  });
}
