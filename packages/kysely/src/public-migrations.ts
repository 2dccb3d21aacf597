/** The storage's migrations for an application's own Kysely `Migrator` (with the storage's `migrate: false`). */
import { InvalidArgumentError } from 'evertask';
import type { Migration } from 'kysely/migration';
import { describeValue } from 'evertask/storage-kit';
import type { DialectName } from './dialects/dialect.js';
import { DIALECT_NAMES, dialectNamed } from './dialects/detect.js';
import { checkTablePrefix } from './kysely-storage-options.js';
import { LATEST_MIGRATION, kyselyMigrations as migrationsFor } from './migrator.js';

/** The name of the newest migration; `open()` with `migrate: false` requires it applied. */
export const KYSELY_SCHEMA_VERSION = LATEST_MIGRATION;

/**
 * The storage's migrations by name (`'0001-initial'`, …) for tables under `tablePrefix` in
 * `dialect`, to run in your own Kysely `Migrator` (give it a migration table the storage's
 * `migrationTableName` names, and open the storage with `migrate: false`).
 */
export function kyselyMigrations(options: { dialect: DialectName; tablePrefix?: string }): Record<string, Migration> {
  if (typeof options !== 'object' || options === null || !DIALECT_NAMES.includes(options.dialect)) {
    throw new InvalidArgumentError(
      `kyselyMigrations needs { dialect } with dialect one of ${DIALECT_NAMES.map((n) => `"${n}"`).join(', ')}; received ${describeValue(options)}.`,
    );
  }
  return migrationsFor(checkTablePrefix(options.tablePrefix ?? 'evertask_'), dialectNamed(options.dialect));
}
