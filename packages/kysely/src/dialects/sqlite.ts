/**
 * SQLite (Kysely's `SqliteDialect` on better-sqlite3): transactions begin IMMEDIATE, which takes
 * the database's write lock up front; that lock is what makes a claim exclusive across processes.
 */
import { sql } from 'kysely';
import { driverErrorFields } from 'evertask/storage-kit';
import type { AnyKysely, DbRow } from '../database.js';
import type { SqlDialect } from './dialect.js';
import { describeError, onConflictDoNothing, onConflictUpdate } from './shared.js';

/** Runs `work` between `BEGIN IMMEDIATE` and `COMMIT` on one connection (rolled back when it throws). */
async function immediateTransaction<T>(db: AnyKysely, work: (tx: AnyKysely) => Promise<T>): Promise<T> {
  return db.connection().execute(async (connection) => {
    await sql`BEGIN IMMEDIATE`.execute(connection);
    try {
      const result = await work(connection);
      await sql`COMMIT`.execute(connection);
      return result;
    } catch (error) {
      await sql`ROLLBACK`.execute(connection).catch(() => undefined);
      throw error;
    }
  });
}

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  types: {
    id: sql`TEXT`,
    word: sql`TEXT`,
    text: sql`TEXT`,
    keyText: sql`TEXT`,
    hash: sql`TEXT`,
    time: sql`INTEGER`,
    count: sql`INTEGER`,
    double: sql`REAL`,
  },
  addSerialId: (table) => table.addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement()),
  tableOptions: (table) => table,
  transaction: immediateTransaction,
  async readClaimBranches(tx, branches) {
    // the write lock is held: the branches are read one after the other (no round trips in process)
    const rows: DbRow[] = [];
    for (const branch of branches) rows.push(...((await branch.execute()) as DbRow[]));
    return rows;
  },
  // SQLite's lower() folds ASCII letters only
  lockRows: (query) => query,
  lockRowsSkippingLocked: (query) => query,
  typedValue: (value) => sql`${value}`,
  containsIgnoringCase: (column, value) => sql`instr(lower(${sql.ref(column)}), lower(${value})) > 0`,
  textSortKey: (column) => sql.ref(column),
  slotOf: (column, from, width) => sql<number>`CAST((${sql.ref(column)} - ${from}) / ${width} AS INTEGER)`,
  insertIgnoringConflict: onConflictDoNothing,
  upsert: onConflictUpdate,
  currentSchema: async () => undefined,
  isCatalogRace: () => false,
  isTransient(error) {
    const { code } = driverErrorFields(error);
    return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
  },
  isUniqueViolation(error) {
    const { code } = driverErrorFields(error);
    return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  },
  describeError,
};
