/** MySQL 8 / MariaDB 10.6+ (Kysely's `MysqlDialect` on mysql2): a locked UNION of index branches, binary utf8mb4 tables. */
import { sql } from 'kysely';
import { NETWORK_ERROR_CODES, driverErrorFields } from 'evertask/storage-kit';
import type { DbRow } from '../database.js';
import type { SqlDialect } from './dialect.js';
import { describeError, readCommitted } from './shared.js';

/** Server errors after which the same work may succeed: deadlock, lock wait timeout, too many connections, shutdown, lost connections. */
const TRANSIENT_ERRNOS = new Set([1213, 1205, 1040, 1053, 1927, 2002, 2003, 2006, 2013]);
/** mysql2's codes of a lost connection. */
const CONNECTION_CODES = new Set([...NETWORK_ERROR_CODES, 'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR']);

const ASCII = sql`CHARACTER SET ascii COLLATE ascii_bin`;

export const mysqlDialect: SqlDialect = {
  name: 'mysql',
  types: {
    id: sql`CHAR(36) ${ASCII}`,
    word: sql`VARCHAR(20) ${ASCII}`,
    text: sql`LONGTEXT`,
    keyText: sql`VARCHAR(256)`,
    hash: sql`CHAR(64) ${ASCII}`,
    time: sql`BIGINT`,
    count: sql`INT`,
    double: sql`DOUBLE`,
  },
  addSerialId: (table) => table.addColumn('id', 'bigint', (column) => column.primaryKey().autoIncrement()),
  // code-point order and case-sensitive equality, as on the other databases
  tableOptions: (table) => table.modifyEnd(sql`ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin`),
  transaction: readCommitted,
  async readClaimBranches(tx, branches) {
    if (branches.length === 0) return [];
    const locked = branches.map((branch) => sql`${branch.forUpdate().skipLocked()}`);
    const result = await sql<DbRow>`${sql.join(locked, sql` UNION ALL `)}`.execute(tx);
    return result.rows;
  },
  lockRows: (query) => query.forUpdate(),
  lockRowsSkippingLocked: (query) => query.forUpdate().skipLocked(),
  typedValue: (value) => sql`${value}`,
  containsIgnoringCase: (column, value) => sql`LOCATE(LOWER(${value}), LOWER(${sql.ref(column)})) > 0`,
  textSortKey: (column) => sql.ref(column),
  slotOf: (column, from, width) => sql<number>`(${sql.ref(column)} - ${from}) DIV ${width}`,
  insertIgnoringConflict: (insert) => insert.ignore(),
  upsert: (insert, _keys, columns) => insert.onDuplicateKeyUpdate(Object.fromEntries(columns.map((column) => [column, sql`VALUES(${sql.ref(column)})`]))),
  currentSchema: async () => undefined,
  isCatalogRace: () => false,
  isTransient(error) {
    const { errno, code } = driverErrorFields(error);
    return (typeof errno === 'number' && TRANSIENT_ERRNOS.has(errno)) || (typeof code === 'string' && CONNECTION_CODES.has(code));
  },
  isUniqueViolation: (error) => driverErrorFields(error).errno === 1062,
  describeError,
};
