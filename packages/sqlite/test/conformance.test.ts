import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeEngineConformance, describeStorageConformance } from 'evertask/testing';
import { SqliteStorage } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'evertask-sqlite-conformance-'));
let counter = 0;
const files = new WeakMap<object, string>();

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A storage on a fresh file of its own. */
function freshFile(): SqliteStorage {
  const file = join(dir, `conformance-${++counter}.db`);
  const storage = new SqliteStorage({ filename: file });
  files.set(storage, file);
  return storage;
}

describeStorageConformance('SqliteStorage (file)', freshFile, {
  // the file goes (with its -wal and -shm files) after each test
  destroy: async (storage) => {
    const file = files.get(storage);
    if (file === undefined) return;
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  },
});

describeStorageConformance('SqliteStorage (:memory:)', () => new SqliteStorage({ filename: ':memory:' }));

describeEngineConformance('SqliteStorage', freshFile, {
  // a second connection on the same file, as a restarted process would open
  reopen: (storage) => new SqliteStorage({ filename: files.get(storage) as string }),
});
