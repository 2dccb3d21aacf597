import { afterAll } from 'vitest';
import { SqliteStorage } from '../../src/index.js';
import { describeStoragePortProperties } from '../../../evertask/test/support/storage-port-properties.js';
import { tempDir } from '../helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let files = 0;

describeStoragePortProperties(
  'SqliteStorage',
  async () => {
    const storage = new SqliteStorage({ filename: tmp.file(`port-${++files}.db`) });
    await storage.open();
    return storage;
  },
  (storage) => storage.close(),
);
