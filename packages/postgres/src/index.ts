export { PostgresStorage, notificationChannel } from './postgres-storage.js';
export type {
  PostgresStorageOptions,
  PostgresStorageCommonOptions,
  PostgresConnectionStringOptions,
  PostgresPoolOptions,
} from './postgres-storage-options.js';
export {
  postgresMigrationSql,
  validateSchemaName,
  MIGRATIONS as POSTGRES_MIGRATIONS,
  LATEST_MIGRATION_VERSION as POSTGRES_SCHEMA_VERSION,
  type Migration as PostgresMigration,
} from './migrations.js';
export { isTransientPgError } from './postgres-errors.js';
