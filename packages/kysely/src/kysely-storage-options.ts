/** The options of `new KyselyStorage(...)`: their types with defaults, and their checks. */
import { Kysely } from 'kysely';
import { InvalidArgumentError } from 'evertask';
import { describeValue } from 'evertask/storage-kit';
import type { AnyKysely } from './database.js';
import type { DialectName } from './dialects/dialect.js';
import { DIALECT_NAMES } from './dialects/detect.js';

/** Something that gives the application's Kysely instance (called once, on the first `open()`). */
export type KyselyFactory = () => AnyKysely | Promise<AnyKysely>;

export interface KyselyStorageOptions {
  /**
   * The application's own Kysely instance, or a function returning it (called once, on the first
   * `open()`). The storage runs its statements on it and never destroys it: `close()` leaves the
   * instance and its pool to the application. Not a `Transaction` (pass one to `add` as `{ tx }`).
   */
  db: AnyKysely | KyselyFactory;
  /**
   * The SQL dialect of `db`. Detected from the instance's adapter (Kysely's `PostgresDialect`,
   * `MysqlDialect`, `SqliteDialect`, or dialects that reuse their adapters); name it for a
   * third-party dialect with its own adapter.
   * @defaultValue detected
   */
  dialect?: DialectName;
  /**
   * Prefix of the EverTask tables (`evertask_tasks`, `evertask_status_audit`, …). Give each
   * application (or each test) its own. Lowercase letters, digits and `_`, starting with a letter,
   * at most 32 characters.
   * @defaultValue `'evertask_'`
   */
  tablePrefix?: string;
  /**
   * The table in which Kysely's `Migrator` records the storage's migrations. Keep it apart from
   * the application's own migration table: Kysely's Migrator refuses a table holding migrations
   * it was not given. Same characters as `tablePrefix`, at most 63.
   * @defaultValue `` `${tablePrefix}kysely_migration` `` (`evertask_kysely_migration`)
   */
  migrationTableName?: string;
  /**
   * The Migrator's lock table.
   * @defaultValue `` `${migrationTableName}_lock` ``
   */
  migrationLockTableName?: string;
  /**
   * Create or upgrade the tables on `open()` with Kysely's `Migrator` (under its lock, so several
   * processes starting together migrate once). With `false`, `open()` only checks that every
   * migration of `kyselyMigrations()` was applied (run them in your own Migrator) and throws a
   * clear error otherwise.
   * @defaultValue `true`
   */
  migrate?: boolean;
  /**
   * Most tasks one INSERT carries; larger `add` batches are split into chunks of this size, in
   * one transaction (still all or none).
   * @defaultValue `500`
   */
  addChunkSize?: number;
  /**
   * How many times an operation is run again after a transient error (a deadlock, a lock wait, a
   * busy SQLite file, a lost connection), with exponential backoff and jitter. After the last try
   * it is thrown as a transient `StorageError` (the engine retries it later).
   * @defaultValue `4`
   */
  transientRetries?: number;
  /**
   * Delay before the first retry of a transient error; it doubles per retry (with jitter).
   * @defaultValue `20`
   */
  retryInitialBackoffMs?: number;
}

/** Options with every default applied. */
export interface ResolvedKyselyStorageOptions {
  db: AnyKysely | KyselyFactory;
  dialect: DialectName | undefined;
  tablePrefix: string;
  migrationTableName: string;
  migrationLockTableName: string;
  migrate: boolean;
  addChunkSize: number;
  transientRetries: number;
  retryInitialBackoffMs: number;
}

/** The default of every option that has a fixed one. */
export const KYSELY_DEFAULTS = {
  tablePrefix: 'evertask_',
  migrate: true,
  addChunkSize: 500,
  transientRetries: 4,
  retryInitialBackoffMs: 20,
} as const;

/** Table prefixes the storage accepts. */
export const TABLE_PREFIX_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;
/** Migration table names the storage accepts. */
export const TABLE_NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

function invalid(option: string, expected: string, value: unknown, fix: string): InvalidArgumentError {
  return new InvalidArgumentError(`KyselyStorage option "${option}" must be ${expected}; received ${describeValue(value)}. ${fix}`);
}

/** Throws `InvalidArgumentError` unless `prefix` is a valid table prefix. */
export function checkTablePrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || !TABLE_PREFIX_PATTERN.test(prefix)) {
    throw invalid('tablePrefix', `a string matching ${String(TABLE_PREFIX_PATTERN)} (lowercase letters, digits and "_", starting with a letter, at most 32 characters)`, prefix, 'Use e.g. "evertask_" or "billing_tasks_".');
  }
  return prefix;
}

function checkTableName(option: string, name: unknown): string {
  if (typeof name !== 'string' || !TABLE_NAME_PATTERN.test(name)) {
    throw invalid(option, `a string matching ${String(TABLE_NAME_PATTERN)}`, name, 'Use e.g. "evertask_kysely_migration".');
  }
  return name;
}

/** Whether `value` is a Kysely instance that is not a transaction. */
export function isKyselyInstance(value: unknown): value is AnyKysely {
  return value instanceof Kysely;
}

/** Checks the options of `new KyselyStorage(...)` and applies the defaults. */
export function resolveKyselyOptions(options: KyselyStorageOptions): ResolvedKyselyStorageOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(`KyselyStorage needs an options object such as { db } (your Kysely instance); received ${describeValue(options)}.`);
  }
  const db: unknown = options.db;
  if (typeof db !== 'function' && !isKyselyInstance(db)) {
    throw invalid('db', 'a Kysely instance (new Kysely({ dialect })) or a function returning one', db, 'Pass the Kysely instance your application already uses.');
  }
  if (isKyselyInstance(db) && db.isTransaction) {
    throw invalid('db', 'a Kysely instance, not a Transaction', db, 'Pass the Kysely instance itself; hand a transaction to add() as { tx }.');
  }
  if (options.dialect !== undefined && !DIALECT_NAMES.includes(options.dialect)) {
    throw invalid('dialect', `one of ${DIALECT_NAMES.map((name) => `"${name}"`).join(', ')}`, options.dialect, 'Omit it to detect the dialect from the Kysely instance.');
  }
  const migrate = options.migrate ?? KYSELY_DEFAULTS.migrate;
  if (typeof migrate !== 'boolean') throw invalid('migrate', 'true or false', migrate, 'Omit it to migrate on open().');
  const int = (key: 'addChunkSize' | 'transientRetries' | 'retryInitialBackoffMs', min: number): number => {
    const value = options[key] ?? KYSELY_DEFAULTS[key];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw invalid(key, `an integer >= ${min}`, value, `Omit it for ${KYSELY_DEFAULTS[key]}.`);
    return value;
  };
  const tablePrefix = checkTablePrefix(options.tablePrefix ?? KYSELY_DEFAULTS.tablePrefix);
  const migrationTableName = checkTableName('migrationTableName', options.migrationTableName ?? `${tablePrefix}kysely_migration`);
  return {
    db: db as AnyKysely | KyselyFactory,
    dialect: options.dialect,
    tablePrefix,
    migrationTableName,
    migrationLockTableName: checkTableName('migrationLockTableName', options.migrationLockTableName ?? `${migrationTableName}_lock`),
    migrate,
    addChunkSize: int('addChunkSize', 1),
    transientRetries: int('transientRetries', 0),
    retryInitialBackoffMs: int('retryInitialBackoffMs', 1),
  };
}
