export { MySqlStorage } from './mysql-storage.js';
export type { MySqlStorageOptions, MySqlStorageCommonOptions, MySqlUriOptions, MySqlPoolOptions } from './mysql-storage-options.js';
export { checkTablePrefix } from './mysql-storage-options.js';
export {
  mysqlMigrationSql,
  mysqlMigrationStatements,
  MIGRATIONS as MYSQL_MIGRATIONS,
  LATEST_MIGRATION_VERSION as MYSQL_SCHEMA_VERSION,
  type Migration as MySqlMigration,
} from './migrator.js';
export { isTransientMySqlError } from './mysql-errors.js';
