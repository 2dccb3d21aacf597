import { rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeStorageConformance } from 'evertask/testing';
import { SqliteStorage } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'evertask-sqlite-conformance-'));
let counter = 0;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A fresh file per test, removed (with its -wal and -shm files) after it.
const files = new WeakMap<object, string>();
describeStorageConformance(
  'SqliteStorage (file)',
  () => {
    const file = join(dir, `conformance-${++counter}.db`);
    const storage = new SqliteStorage({ filename: file });
    files.set(storage, file);
    return storage;
  },
  {
    destroy: async (storage) => {
      const file = files.get(storage);
      if (file === undefined) return;
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    },
  },
);

describeStorageConformance('SqliteStorage (:memory:)', () => new SqliteStorage({ filename: ':memory:' }));
