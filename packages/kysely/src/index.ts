export { KyselyStorage } from './kysely-storage.js';
export type { KyselyStorageOptions, KyselyFactory } from './kysely-storage-options.js';
export { checkTablePrefix } from './kysely-storage-options.js';
export type { DialectName } from './dialects/dialect.js';
export type { AnyKysely } from './database.js';
export { kyselyMigrations, KYSELY_SCHEMA_VERSION } from './public-migrations.js';
