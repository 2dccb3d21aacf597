import { expect, it } from 'vitest';
import { describeWithPostgres, makeLog, makeTask, useStorage } from '../pg-test-helpers.js';

const describePg = await describeWithPostgres();

describePg('PostgresStorage history', () => {
  const fixture = useStorage(import.meta.url);

  it('stores and pages execution logs by (at, sequence, id)', async () => {
    const t = makeTask();
    await fixture.storage.add([t]);
    const logs = Array.from({ length: 5 }, (_, i) => makeLog(t.id, i, 1000 + (i % 2)));
    await fixture.storage.saveExecutionLogs(t.id, logs);
    await fixture.storage.saveExecutionLogs(t.id, []);
    expect(await fixture.storage.countExecutionLogs(t.id)).toBe(5);
    const all = await fixture.storage.getExecutionLogs(t.id);
    expect(all.map((l) => l.sequence)).toEqual([0, 2, 4, 1, 3]);
    expect((await fixture.storage.getExecutionLogs(t.id, 1, 2)).map((l) => l.sequence)).toEqual([2, 4]);
    expect(all[0]).toEqual(logs[0]);
  });
});
