import { expect, it } from 'vitest';
import { StorageError } from 'evertask';
import { describeWithPostgres, makeTask, useStorage } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();

describePg('PostgresStorage row mapping', () => {
  const fixture = useStorage(import.meta.url);

  it('reports a malformed stored row naming the task and the column', async () => {
    const t = makeTask();
    await fixture.storage.add([t]);
    await fixture.admin.query(`UPDATE "${fixture.schema}".tasks SET status = 'running' WHERE id = $1`, [t.id]);
    const error = await fixture.storage.get(t.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toContain(t.id);
    expect((error as Error).message).toContain('"status"');
    expect((error as StorageError).transient).toBe(false);
  });

  it('reports a malformed instance row naming the instance and the field', async () => {
    await fixture.storage.instances.heartbeat({ id: 'i-1', hostname: 'h', pid: 1, startedAt: 1, heartbeatAt: 1, expiresAt: 2, queues: ['default'], taskNames: [] });
    await fixture.admin.query(`UPDATE "${fixture.schema}".instances SET queues = ARRAY['']::text[] WHERE id = 'i-1'`);
    const error = await fixture.storage.instances.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toContain('i-1');
    expect((error as Error).message).toContain('queues');
  });
});
