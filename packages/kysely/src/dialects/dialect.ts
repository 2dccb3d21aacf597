/**
 * What differs between the SQL dialects the storage runs on. Everything else is written once with
 * Kysely's query builder; each dialect file answers these few questions for its database.
 */
import type { CreateTableBuilder, Expression, InsertQueryBuilder, RawBuilder, SelectQueryBuilder, SqlBool } from 'kysely';
import type { AnyKysely, DbRow } from '../database.js';

/** The dialects the storage supports. */
export type DialectName = 'postgres' | 'mysql' | 'sqlite';

/** Column types of the schema, as each dialect spells them. */
export interface ColumnTypes {
  /** A task or log id (a 36-character UUID), compared byte by byte. */
  readonly id: Expression<unknown>;
  /** Short ASCII words (statuses, levels) that are indexed. */
  readonly word: Expression<unknown>;
  /** Text of any length, never indexed (payloads, names, errors). */
  readonly text: Expression<unknown>;
  /** Text that is part of a key (a queue name, an instance id, a rate-limit key), at most 256 characters. */
  readonly keyText: Expression<unknown>;
  /** A SHA-256 in hex (the task-key index). */
  readonly hash: Expression<unknown>;
  /** Epoch milliseconds. */
  readonly time: Expression<unknown>;
  /** A 32-bit count. */
  readonly count: Expression<unknown>;
  /** A double (durations, GCRA times). */
  readonly double: Expression<unknown>;
}

/** The kinds of value a column holds, as `ColumnTypes` names them. */
export type ColumnKind = keyof ColumnTypes;

/** An insert whose conflicting rows are updated or kept. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyInsert = InsertQueryBuilder<any, any, any>;

export interface SqlDialect {
  readonly name: DialectName;
  readonly types: ColumnTypes;
  /** Adds the auto-incrementing primary key `id` that orders history rows written in one millisecond. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  addSerialId(table: CreateTableBuilder<any, any>): CreateTableBuilder<any, any>;
  /** Table options (MySQL: InnoDB, binary utf8mb4 collation). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  tableOptions(table: CreateTableBuilder<any, any>): CreateTableBuilder<any, any>;
  /**
   * Runs `work` in a transaction on a connection of `db`: READ COMMITTED on PostgreSQL and
   * MySQL, `BEGIN IMMEDIATE` on SQLite (the write lock taken up front, so two processes never
   * deadlock upgrading a read).
   */
  transaction<T>(db: AnyKysely, work: (tx: AnyKysely) => Promise<T>): Promise<T>;
  /**
   * Reads the claim candidates: each branch a SELECT walking one index in order with its limit,
   * locked with `FOR UPDATE SKIP LOCKED` where the database has row locks (the transaction's
   * write lock serialises claimers on SQLite).
   */
  readClaimBranches(tx: AnyKysely, branches: readonly ClaimBranch[]): Promise<DbRow[]>;
  /** `query` locking the rows it reads until the transaction ends (`FOR UPDATE`; SQLite: the transaction's write lock already does). */
  lockRows(query: ClaimBranch): ClaimBranch;
  /** `query` locking the rows it reads, leaving out rows another transaction holds (`FOR UPDATE SKIP LOCKED`; SQLite: as is). */
  lockRowsSkippingLocked(query: ClaimBranch): ClaimBranch;
  /**
   * A parameter as a value of `type` where the database cannot infer it (PostgreSQL types the
   * branches of a `CASE` as text unless told).
   */
  typedValue(value: unknown, type: ColumnKind): Expression<unknown>;
  /** `value` occurs in `column`, ignoring case, with `%` and `_` as plain characters. */
  containsIgnoringCase(column: string, value: string): RawBuilder<SqlBool>;
  /** A text column as an ORDER BY key that sorts by code point. */
  textSortKey(column: string): Expression<unknown>;
  /** `floor((column - from) / width)` in integers. */
  slotOf(column: string, from: number, width: number): RawBuilder<number>;
  /** `insert` that leaves a row whose key `keys` exists as it is. */
  insertIgnoringConflict(insert: AnyInsert, keys: readonly string[]): AnyInsert;
  /** `insert` that overwrites `columns` of a row whose key `keys` exists. */
  upsert(insert: AnyInsert, keys: readonly string[], columns: readonly string[]): AnyInsert;
  /**
   * The schema unqualified tables go to (PostgreSQL's `current_schema()`), for the Migrator's
   * `migrationTableSchema`: without it Kysely's Migrator takes a migration table of the same name
   * in any schema for its own. Undefined where tables have no schema.
   */
  currentSchema(db: AnyKysely): Promise<string | undefined>;
  /**
   * An error of reading the catalog while another session drops a schema or table (PostgreSQL's
   * catalog functions resolve names of objects being dropped): Kysely's Migrator reads every
   * table of the database, so opening is tried again after one.
   */
  isCatalogRace(error: unknown): boolean;
  /** A lock, a deadlock, a busy database or a lost connection: the work may succeed if run again. */
  isTransient(error: unknown): boolean;
  /** A unique index was violated (a task key taken). */
  isUniqueViolation(error: unknown): boolean;
  /** Words a driver error for a message. */
  describeError(error: unknown): string;
}

/** One index-ordered branch of a claim read (see `queries/claims.ts`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ClaimBranch = SelectQueryBuilder<any, any, any>;
