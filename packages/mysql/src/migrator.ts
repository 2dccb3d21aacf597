import { createHash } from 'node:crypto';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { EverTaskError, StorageError } from 'evertask';
import { loadMigrationFiles } from 'evertask/storage-kit';
import { tableNames } from './connection.js';
import { errorNumber, toStorageError } from './mysql-errors.js';
import { checkTablePrefix } from './mysql-storage-options.js';
import { clientStatement, splitMigrationSql, type MigrationStatement } from './migration-statements.js';

/** One versioned migration. Its SQL uses `{{prefix}}` for the table prefix. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Where the `.sql` files are: next to this module, in `src/` and in `dist/` alike. */
const MIGRATIONS_DIRECTORY = new URL('./migrations/', import.meta.url);
/** Longest wait for another process's migration, in seconds. */
const LOCK_TIMEOUT_SECONDS = 60;

/**
 * Reads `migrations/*.sql`, oldest first, and checks that their versions run 1, 2, 3… without a
 * gap and each names itself. Never edit a file that shipped: add a new version.
 */
export function loadMigrations(directory: URL = MIGRATIONS_DIRECTORY): Migration[] {
  return loadMigrationFiles('@evertask/mysql', directory);
}

/** The migrations, oldest first (`src/migrations/NNNN-*.sql`). */
export const MIGRATIONS: readonly Migration[] = loadMigrations();

/** The schema version this package needs. */
export const LATEST_MIGRATION_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** The statements of one migration for a prefix (see `splitMigrationSql`). */
function migrationStatements(migration: Migration, prefix: string): MigrationStatement[] {
  return splitMigrationSql(migration.sql.replaceAll('{{prefix}}', checkTablePrefix(prefix)));
}

/** Statement that creates the migrations bookkeeping table. */
function bootstrapSql(prefix: string): string {
  return `CREATE TABLE IF NOT EXISTS ${tableNames(checkTablePrefix(prefix)).migrations} (
  version INT NOT NULL PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  applied_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4`;
}

/**
 * Name of the server-wide lock taken while migrating the tables of one prefix in the current
 * database (`GET_LOCK` names are at most 64 characters, so a hash).
 */
function migrationLockName(database: string, prefix: string): string {
  return `evertask:migrate:${createHash('sha1').update(`${database}\u0000${prefix}`).digest('hex')}`;
}

function quoteString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * The whole migration as one SQL script for the mysql (or mariadb) command-line client
 * (`evertask migrate --mysql … --print`, or a deployment pipeline that migrates before the
 * application starts with `migrate: false`). Runs under the same named lock as `open()` and applies
 * only versions above `fromVersion` (0 for a fresh database), recording each in
 * `<prefix>migrations`. Run it in the database the application uses (`mysql mydb < script.sql`).
 * The stored procedure is wrapped in `DELIMITER` lines, a command of the client, not of the server:
 * to run the migration through a driver, run the statements of `mysqlMigrationStatements` one by one.
 */
export function mysqlMigrationSql(tablePrefix: string = 'evertask_', fromVersion = 0): string {
  const lines = migrationScript(tablePrefix, fromVersion).map((step) => (typeof step === 'string' ? step : clientStatement(step)));
  return `${lines.join('\n')}\n`;
}

/**
 * The statements of `mysqlMigrationSql`, one per item without its delimiter, for a driver to run
 * one after another on one connection (the named lock is held by that connection).
 */
export function mysqlMigrationStatements(tablePrefix: string = 'evertask_', fromVersion = 0): string[] {
  return migrationScript(tablePrefix, fromVersion).flatMap((step) => (typeof step === 'string' ? [] : [step.sql]));
}

/** The script's steps under the named lock: a comment line before each migration, then its statements. */
function migrationScript(tablePrefix: string, fromVersion: number): (string | MigrationStatement)[] {
  const prefix = checkTablePrefix(tablePrefix);
  const migrations = tableNames(prefix).migrations;
  const lock = `CONCAT('evertask:migrate:', SHA1(CONCAT(DATABASE(), CHAR(0), ${quoteString(prefix)})))`;
  const plain = (sql: string): MigrationStatement => ({ sql, delimiter: ';' });
  const steps: (string | MigrationStatement)[] = [plain(`SELECT GET_LOCK(${lock}, ${LOCK_TIMEOUT_SECONDS})`), plain(bootstrapSql(prefix))];
  for (const migration of MIGRATIONS) {
    if (migration.version <= fromVersion) continue;
    steps.push(`-- migration ${migration.version}: ${migration.name}`, ...migrationStatements(migration, prefix));
    steps.push(plain(`INSERT IGNORE INTO ${migrations} (version, name) VALUES (${migration.version}, ${quoteString(migration.name)})`));
  }
  steps.push(plain(`SELECT RELEASE_LOCK(${lock})`));
  return steps;
}

/** The applied migration version of the tables of a prefix (0 when there are none). */
async function appliedVersion(db: Pool | PoolConnection, prefix: string): Promise<number> {
  try {
    const [rows] = await db.query<RowDataPacket[]>(`SELECT MAX(version) AS version FROM ${tableNames(prefix).migrations}`);
    return Number(rows[0]?.version ?? 0);
  } catch (error) {
    if (errorNumber(error) === 1146) return 0; // ER_NO_SUCH_TABLE
    throw error;
  }
}

/** Applies the missing migrations, holding the prefix's named lock (DDL commits by itself in MySQL, so no transaction). */
async function applyMigrations(pool: Pool, prefix: string): Promise<void> {
  const db = await pool.getConnection();
  let lockName: string | undefined;
  try {
    const [[current]] = await db.query<RowDataPacket[]>('SELECT DATABASE() AS name');
    const database = current?.name;
    if (typeof database !== 'string') {
      throw new StorageError('MySqlStorage.open failed: the connection has no current database. Name one in the URI (mysql://user@host:3306/mydb) or the pool options.');
    }
    const name = migrationLockName(database, prefix);
    const [[lock]] = await db.query<RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS granted', [name, LOCK_TIMEOUT_SECONDS]);
    if (Number(lock?.granted) !== 1) {
      throw new StorageError(
        `MySqlStorage.open failed: another process held the migration lock of "${database}" (prefix "${prefix}") for more than ${LOCK_TIMEOUT_SECONDS} s. ` +
          'Wait for it to finish, or look for a stuck migration (SELECT * FROM performance_schema.metadata_locks).',
        { transient: true },
      );
    }
    lockName = name;
    await db.query(bootstrapSql(prefix));
    const version = await appliedVersion(db, prefix);
    for (const migration of MIGRATIONS) {
      if (migration.version <= version) continue;
      for (const statement of migrationStatements(migration, prefix)) await db.query(statement.sql);
      await db.query(`INSERT INTO ${tableNames(prefix).migrations} (version, name) VALUES (?, ?)`, [migration.version, migration.name]);
    }
  } finally {
    if (lockName !== undefined) await db.query('SELECT RELEASE_LOCK(?)', [lockName]).catch(() => undefined);
    db.release();
  }
}

/**
 * Brings the tables to the version this package needs (`migrate: true`, the default), or checks
 * that they are there and throws a `StorageError` naming the fix otherwise (`migrate: false`).
 */
export async function prepareTables(pool: Pool, prefix: string, migrate: boolean): Promise<void> {
  try {
    const version = await appliedVersion(pool, prefix);
    if (version > LATEST_MIGRATION_VERSION) {
      throw new StorageError(
        `MySqlStorage: the tables with prefix "${prefix}" are at migration version ${version}, newer than this ` +
          `@evertask/mysql supports (${LATEST_MIGRATION_VERSION}). Upgrade @evertask/mysql in this application.`,
      );
    }
    if (version === LATEST_MIGRATION_VERSION) return;
    if (!migrate) {
      throw new StorageError(
        `MySqlStorage: the tables with prefix "${prefix}" are at migration version ${version}, but this version of ` +
          `@evertask/mysql needs version ${LATEST_MIGRATION_VERSION}. Apply the migrations (mysqlMigrationSql("${prefix}", ${version}), ` +
          `or "evertask migrate --mysql <uri>"), or construct the storage with migrate: true.`,
      );
    }
    await applyMigrations(pool, prefix);
  } catch (error) {
    throw error instanceof EverTaskError ? error : toStorageError('open', error);
  }
}
