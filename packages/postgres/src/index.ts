/**
 * `PostgresStorage`: many processes on one PostgreSQL database, LISTEN/NOTIFY wake-ups, transactional dispatch.
 *
 * @packageDocumentation
 * @module @evertask/postgres
 */
export { PostgresStorage } from './postgres-storage.js';
export { notificationChannel } from './notifications.js';
export type {
  PostgresStorageOptions,
  PostgresStorageCommonOptions,
  PostgresConnectionStringOptions,
  PostgresPoolOptions,
} from './postgres-storage-options.js';
export { validateSchemaName } from './postgres-storage-options.js';
export {
  postgresMigrationSql,
  MIGRATIONS as POSTGRES_MIGRATIONS,
  LATEST_MIGRATION_VERSION as POSTGRES_SCHEMA_VERSION,
  type Migration as PostgresMigration,
} from './migrator.js';
export { isTransientPgError } from './postgres-errors.js';
