import { MemoryStorage } from '../../src/index.js';
import { describeStoragePortProperties } from '../support/storage-port-properties.js';

describeStoragePortProperties(
  'MemoryStorage',
  async () => {
    const storage = new MemoryStorage();
    await storage.open();
    return storage;
  },
  (storage) => storage.close(),
);
