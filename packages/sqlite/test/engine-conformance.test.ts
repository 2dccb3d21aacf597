import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeEngineConformance } from 'evertask/testing';
import { SqliteStorage } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'evertask-sqlite-engine-'));
let counter = 0;
const files = new WeakMap<object, string>();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeEngineConformance(
  'SqliteStorage',
  () => {
    const file = join(dir, `engine-${++counter}.db`);
    const storage = new SqliteStorage({ filename: file });
    files.set(storage, file);
    return storage;
  },
  {
    // a second connection on the same file, as a restarted process would open
    reopen: (storage) => new SqliteStorage({ filename: files.get(storage) as string }),
  },
);
