/**
 * The storage's schema through Kysely's `Migrator`: the migrations of `migrations/`, recorded in
 * the storage's own migration table (option `migrationTableName`) and applied under the
 * Migrator's lock (an advisory lock on PostgreSQL, `GET_LOCK` on MySQL; SQLite's single
 * connection), so several processes starting together migrate once.
 */
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import { setTimeout as sleep } from 'node:timers/promises';
import { StorageError } from 'evertask';
import type { AnyKysely } from './database.js';
import type { SqlDialect } from './dialects/dialect.js';
import { initialMigration } from './migrations/0001-initial.js';
import { rateLimitsMigration } from './migrations/0002-rate-limits.js';
import { traceContextMigration } from './migrations/0003-trace-context.js';

/** Where the storage's migrations are recorded. */
export interface MigrationSettings {
  tablePrefix: string;
  migrationTableName: string;
  migrationLockTableName: string;
}

/**
 * The storage's migrations for tables under `tablePrefix` in `dialect`, by name, for your own
 * Kysely `Migrator` (with `migrate: false`), or for reading what the storage applies.
 */
export function kyselyMigrations(tablePrefix: string, dialect: SqlDialect): Record<string, Migration> {
  return {
    '0001-initial': initialMigration(tablePrefix, dialect),
    '0002-rate-limits': rateLimitsMigration(tablePrefix, dialect),
    '0003-trace-context': traceContextMigration(tablePrefix, dialect),
  };
}

/** The name of the newest migration (what `open()` requires to be applied). */
export const LATEST_MIGRATION = '0003-trace-context';

async function migrator(db: AnyKysely, dialect: SqlDialect, settings: MigrationSettings): Promise<Migrator> {
  const migrations = kyselyMigrations(settings.tablePrefix, dialect);
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  const migrationTableSchema = await dialect.currentSchema(db);
  return new Migrator({
    db,
    provider,
    migrationTableName: settings.migrationTableName,
    migrationLockTableName: settings.migrationLockTableName,
    ...(migrationTableSchema === undefined ? {} : { migrationTableSchema }),
  });
}

/** Attempts of a migration run cut short by another session's DDL (see `SqlDialect.isCatalogRace`). */
const CATALOG_RACE_ATTEMPTS = 5;

/** The migrations the table records (none when it does not exist yet). */
async function recordedMigrations(db: AnyKysely, table: string): Promise<string[]> {
  try {
    return (await db.selectFrom(table).select('name').execute()).map((row) => String(row.name));
  } catch {
    return [];
  }
}

/**
 * Applies the pending migrations (`migrate: true`), or checks that none is pending (`migrate:
 * false`). Either way, tables migrated by a newer release (a recorded migration this one does not
 * know) refuse to open.
 */
export async function prepareTables(db: AnyKysely, dialect: SqlDialect, settings: MigrationSettings, migrate: boolean): Promise<void> {
  const known = Object.keys(kyselyMigrations(settings.tablePrefix, dialect));
  const unknown = (await recordedMigrations(db, settings.migrationTableName)).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new StorageError(
      `KyselyStorage.open failed: the migration table "${settings.migrationTableName}" records ${unknown.join(', ')}, newer than this release of @evertask/kysely knows (latest ${LATEST_MIGRATION}): ` +
        'the tables were migrated by a newer release. Upgrade @evertask/kysely, or open another tablePrefix.',
    );
  }
  const m = await migrator(db, dialect, settings);
  if (!migrate) {
    let pending: string[];
    try {
      pending = (await m.getMigrations()).filter((migration) => migration.executedAt === undefined).map((migration) => migration.name);
    } catch (error) {
      throw new StorageError(`KyselyStorage.open failed: cannot read the migration table "${settings.migrationTableName}": ${(error as Error).message}`, { cause: error });
    }
    if (pending.length > 0) {
      throw new StorageError(
        `KyselyStorage.open failed: the tables under prefix "${settings.tablePrefix}" lack migration(s) ${pending.join(', ')} (table "${settings.migrationTableName}"). ` +
          'Open with migrate: true, or apply kyselyMigrations() in your own Migrator first.',
      );
    }
    return;
  }
  let { error, results } = await m.migrateToLatest();
  for (let attempt = 1; error !== undefined && dialect.isCatalogRace(error) && attempt < CATALOG_RACE_ATTEMPTS; attempt++) {
    await sleep(50 * attempt);
    ({ error, results } = await m.migrateToLatest());
  }
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    throw new StorageError(
      `KyselyStorage.open failed: migration ${failed ?? '(none started)'} of the tables under prefix "${settings.tablePrefix}" failed: ${(error as Error).message ?? String(error)}`,
      { cause: error, transient: false },
    );
  }
}
