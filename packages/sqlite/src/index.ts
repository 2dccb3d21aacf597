/**
 * `SqliteStorage`: the embedded persistent storage on one SQLite file (better-sqlite3).
 *
 * @packageDocumentation
 * @module @evertask/sqlite
 */
export { SqliteStorage } from './sqlite-storage.js';
export type {
  SqliteDatabaseOptions,
  SqliteFileOptions,
  SqliteStorageOptions,
  SqliteStorageTuning,
} from './sqlite-storage-options.js';
export { LATEST_SCHEMA_VERSION } from './migrator.js';
