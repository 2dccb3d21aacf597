/** PostgreSQL (Kysely's `PostgresDialect` on pg): CTE branches locked with SKIP LOCKED, `COLLATE "C"` sorts. */
import { sql } from 'kysely';
import { NETWORK_ERROR_CODES, driverErrorFields } from 'evertask/storage-kit';
import type { DbRow } from '../database.js';
import type { SqlDialect } from './dialect.js';
import { describeError, onConflictDoNothing, onConflictUpdate, readCommitted } from './shared.js';

/** SQLSTATEs after which the same work may succeed: serialization failure, deadlock, lock not available, shutdown, too many connections, connection exceptions. */
const TRANSIENT_STATES = new Set(['40001', '40P01', '55P03', '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006']);

export const postgresDialect: SqlDialect = {
  name: 'postgres',
  types: {
    id: sql`text`,
    word: sql`text`,
    text: sql`text`,
    keyText: sql`text`,
    hash: sql`text`,
    time: sql`int8`,
    count: sql`int4`,
    double: sql`float8`,
  },
  addSerialId: (table) => table.addColumn('id', 'bigserial', (column) => column.primaryKey()),
  tableOptions: (table) => table,
  transaction: readCommitted,
  async readClaimBranches(tx, branches) {
    const [first, ...rest] = branches.map((branch, index) => ({ name: `b${index}`, query: branch.forUpdate().skipLocked() }));
    if (first === undefined) return [];
    // FOR UPDATE is not allowed beside UNION: each branch is a CTE, the union reads them
    let query = tx.with(first.name, () => first.query);
    for (const branch of rest) query = query.with(branch.name, () => branch.query);
    let union = query.selectFrom(first.name).selectAll();
    for (const branch of rest) union = union.unionAll(tx.selectFrom(branch.name).selectAll());
    return (await union.execute()) as DbRow[];
  },
  lockRows: (query) => query.forUpdate(),
  lockRowsSkippingLocked: (query) => query.forUpdate().skipLocked(),
  typedValue: (value, type) => sql`CAST(${value} AS ${postgresDialect.types[type]})`,
  containsIgnoringCase: (column, value) => sql`strpos(lower(${sql.ref(column)}), lower(${value}::text)) > 0`,
  textSortKey: (column) => sql`${sql.ref(column)} COLLATE "C"`,
  slotOf: (column, from, width) => sql<number>`(${sql.ref(column)} - ${from}::int8) / ${width}::int8`,
  insertIgnoringConflict: onConflictDoNothing,
  upsert: onConflictUpdate,
  currentSchema: async (db) => (await sql<{ schema: string | null }>`SELECT current_schema() AS schema`.execute(db)).rows[0]?.schema ?? undefined,
  isCatalogRace: (error) => ['3F000', '42P01', 'XX000'].includes(String(driverErrorFields(error).code)),
  isTransient(error) {
    const { code, message } = driverErrorFields(error);
    if (typeof code === 'string' && (TRANSIENT_STATES.has(code) || NETWORK_ERROR_CODES.has(code))) return true;
    return typeof message === 'string' && /Connection terminated|connection timeout/i.test(message);
  },
  isUniqueViolation: (error) => driverErrorFields(error).code === '23505',
  describeError,
};
