/** What every group of statements shares: the connection (instance and dialect) and the table names. */
import type { KyselyConnection } from '../connection.js';
import type { TableNames } from '../database.js';

export interface QueryContext {
  readonly connection: KyselyConnection;
  readonly tables: TableNames;
  /** Most rows one INSERT carries. */
  readonly chunkSize: number;
}
