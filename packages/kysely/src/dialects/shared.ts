/** Pieces two or three dialects share. */
import { sql } from 'kysely';
import { describeDriverError } from 'evertask/storage-kit';
import type { AnyKysely } from '../database.js';
import type { AnyInsert } from './dialect.js';

/** A transaction at READ COMMITTED (PostgreSQL, MySQL): a locking read sees rows committed since it began. */
export async function readCommitted<T>(db: AnyKysely, work: (tx: AnyKysely) => Promise<T>): Promise<T> {
  return db.transaction().setIsolationLevel('read committed').execute(work);
}

/** `ON CONFLICT (keys) DO NOTHING` (PostgreSQL, SQLite). */
export function onConflictDoNothing(insert: AnyInsert, keys: readonly string[]): AnyInsert {
  return insert.onConflict((conflict) => conflict.columns([...keys]).doNothing());
}

/** `ON CONFLICT (keys) DO UPDATE SET column = excluded.column, …` (PostgreSQL, SQLite). */
export function onConflictUpdate(insert: AnyInsert, keys: readonly string[], columns: readonly string[]): AnyInsert {
  return insert.onConflict((conflict) =>
    conflict.columns([...keys]).doUpdateSet(Object.fromEntries(columns.map((column) => [column, sql.ref(`excluded.${column}`)]))),
  );
}

/** A driver error's message and code. */
export function describeError(error: unknown): string {
  return describeDriverError(error, { errno: true });
}

