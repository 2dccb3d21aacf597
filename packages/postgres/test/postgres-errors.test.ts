import { expect, it } from 'vitest';
import { StorageError } from 'evertask';
import { describeWithPostgres, makeTask, useStorage } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();

describePg('PostgresStorage driver errors', () => {
  const fixture = useStorage(import.meta.url);

  it('wraps a non-transient database error in a StorageError naming the operation', async () => {
    const t = makeTask();
    await fixture.storage.add([t]);
    const error = await fixture.storage.add([t]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toMatch(/PostgresStorage\.add failed/);
    expect((error as StorageError).transient).toBe(false);
    expect((error as StorageError).cause).toBeDefined();
  });
});
