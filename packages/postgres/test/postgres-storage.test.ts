import { expect, it } from 'vitest';
import { InvalidArgumentError, uuidv7 } from 'evertask';
import { describeWithPostgres, makeTask, useStorage } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();

describePg('PostgresStorage (adapter)', () => {
  const fixture = useStorage(import.meta.url);

  it('declares its capabilities', () => {
    expect(fixture.storage.capabilities).toEqual({
      persistent: true,
      multiProcess: true,
      notifications: true,
      transactionalDispatch: true,
    });
  });

  it('rejects bad input with InvalidArgumentError', async () => {
    await expect(fixture.storage.add([makeTask({ id: 'nope' })])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(fixture.storage.add([makeTask({ status: 'running' as never })])).rejects.toThrow(/status/);
    await expect(fixture.storage.add([makeTask({ dueAt: Number.NaN })])).rejects.toThrow(/dueAt/);
    await expect(fixture.storage.add([makeTask()], { tx: {} })).rejects.toThrow(/options.tx/);
    await expect(fixture.storage.update(uuidv7(), { bogus: 1 } as never)).rejects.toThrow(/bogus/);
    await expect(fixture.storage.claimDue({ owner: '', now: 1, limit: 1, leaseMs: 1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(fixture.storage.query({}, { sortBy: 'payload' as never })).rejects.toThrow(/sortBy/);
  });
});
