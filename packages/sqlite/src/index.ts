export { SqliteStorage } from './sqlite-storage.js';
export type {
  SqliteDatabaseOptions,
  SqliteFileOptions,
  SqliteStorageOptions,
  SqliteStorageTuning,
} from './sqlite-storage-options.js';
export { LATEST_SCHEMA_VERSION } from './migrator.js';
