/** Which dialect a Kysely instance speaks, from its adapter (or the `dialect` option). */
import { MysqlAdapter, PostgresAdapter, SqliteAdapter } from 'kysely';
import type { AnyKysely } from '../database.js';
import type { DialectName, SqlDialect } from './dialect.js';
import { mysqlDialect } from './mysql.js';
import { postgresDialect } from './postgres.js';
import { sqliteDialect } from './sqlite.js';

const DIALECTS: Readonly<Record<DialectName, SqlDialect>> = { postgres: postgresDialect, mysql: mysqlDialect, sqlite: sqliteDialect };

/** The dialect named `name`. */
export function dialectNamed(name: DialectName): SqlDialect {
  return DIALECTS[name];
}

/**
 * The dialect of `db`, from the class of its adapter (Kysely's built-in dialects, and third-party
 * ones that reuse their adapters), or undefined when it is none of the three.
 */
export function detectDialect(db: AnyKysely): SqlDialect | undefined {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) return postgresDialect;
  if (adapter instanceof MysqlAdapter) return mysqlDialect;
  if (adapter instanceof SqliteAdapter) return sqliteDialect;
  return undefined;
}

/** The supported dialect names. */
export const DIALECT_NAMES: readonly DialectName[] = Object.keys(DIALECTS) as DialectName[];
