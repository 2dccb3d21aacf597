/**
 * The connection-level types every query module shares. A module names only the statement groups
 * it uses (`QuerySession<{ claims: ClaimStatements }>`), so the modules do not import the session
 * that gathers them all (`session.ts`), and nothing imports in a circle.
 */
import type Database from 'better-sqlite3';
import type { TableNames } from './tables.js';

export type Row = Record<string, unknown>;
export type Statement = Database.Statement<unknown[], Row>;
/** Prepares one statement that returns numbers, never bigints (even on a safe-integers database). */
export type Prepare = (sql: string) => Statement;

/** An open connection as a query module sees it: `S` holds the statement groups it uses. */
export interface QuerySession<S> {
  readonly db: Database.Database;
  readonly tables: TableNames;
  /** The file, for messages. */
  readonly location: string;
  readonly statements: S;
  /** The statement of one shape (`key`), prepared from `build()` the first time it is needed. */
  cached(key: string, build: () => string): Statement;
}
