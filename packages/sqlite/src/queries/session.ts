/**
 * What one open connection has prepared: every module's statements, the cache of statements whose
 * text depends on the call (patches, transitions, filters), the table names and the file's name.
 */
import type Database from 'better-sqlite3';
import { prepareClaimStatements, type ClaimStatements } from './claims.js';
import { prepareHistoryStatements, type HistoryStatements } from './history.js';
import { prepareInstanceStatements, type InstanceStatements } from './instances.js';
import { prepareReadStatements, type ReadStatements } from './reads.js';
import { prepareRetentionStatements, type RetentionStatements } from './retention.js';
import { prepareTaskStatements, type TaskStatements } from './tasks.js';
import { prepareQueueStateStatements, type QueueStateStatements } from './queue-state.js';
import type { TableNames } from './tables.js';
import type { Prepare, QuerySession, Row, Statement } from './query-session.js';


/** Most dynamic statements kept prepared (transitions and queries with different shapes). */
const STATEMENT_CACHE_LIMIT = 256;

export interface Statements {
  tasks: TaskStatements;
  claims: ClaimStatements;
  reads: ReadStatements;
  history: HistoryStatements;
  retention: RetentionStatements;
  instances: InstanceStatements;
  queueState: QueueStateStatements;
}

/** One connection's session with every module's statements. */
export type SqliteSession = QuerySession<Statements>;

export function createSession(db: Database.Database, tables: TableNames, location: string): SqliteSession {
  const prepare: Prepare = (sql) => db.prepare<unknown[], Row>(sql).safeIntegers(false);
  const dynamic = new Map<string, Statement>();
  return {
    db,
    tables,
    location,
    statements: {
      tasks: prepareTaskStatements(prepare, tables),
      claims: prepareClaimStatements(prepare, tables),
      reads: prepareReadStatements(prepare, tables),
      history: prepareHistoryStatements(prepare, tables),
      retention: prepareRetentionStatements(prepare, tables),
      instances: prepareInstanceStatements(prepare, tables),
      queueState: prepareQueueStateStatements(prepare, tables),
    },
    cached(key, build) {
      let statement = dynamic.get(key);
      if (!statement) {
        if (dynamic.size >= STATEMENT_CACHE_LIMIT) dynamic.clear();
        statement = prepare(build());
        dynamic.set(key, statement);
      }
      return statement;
    },
  };
}
