/** Retention cleanup: old finished one-off tasks and old history, deleted in short chunks. */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { RetentionPolicy, RetentionResult } from 'evertask';
import type { Prepare, Statement, QuerySession } from './query-session.js';
import type { TableNames } from './tables.js';

/** The connection as this module sees it. */
type Session = QuerySession<{ retention: RetentionStatements }>;

/** Rows deleted per transaction by `cleanup`, so other processes are not locked out for long. */
const CLEANUP_CHUNK = 2000;

export interface RetentionStatements {
  /** Ids of one chunk of expired completed / failed-or-cancelled one-off tasks (`?` = the cutoff). */
  completedIds: Statement;
  failedIds: Statement;
  /** Deletes the history of the tasks listed in a JSON array of ids, then the tasks themselves. */
  statusAuditOf: Statement;
  runAuditOf: Statement;
  logsOf: Statement;
  tasksOf: Statement;
  /** Deletes one chunk of history rows older than the cutoff. */
  statusAudit: Statement;
  runAudit: Statement;
  logs: Statement;
}

export function prepareRetentionStatements(prepare: Prepare, t: TableNames): RetentionStatements {
  const chunkDelete = (table: string, where: string): string =>
    `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE ${where} LIMIT ${CLEANUP_CHUNK})`;
  const expiredIds = (where: string): string =>
    `SELECT id FROM ${t.tasks} WHERE ${where} AND recurring IS NULL AND updated_at < ? LIMIT ${CLEANUP_CHUNK}`;
  const ofTasks = (table: string, key = 'task_id'): string => `DELETE FROM ${table} WHERE ${key} IN (SELECT value FROM json_each(?))`;
  return {
    completedIds: prepare(expiredIds(`status = 'completed'`)),
    failedIds: prepare(expiredIds(`status IN ('failed', 'cancelled')`)),
    statusAuditOf: prepare(ofTasks(t.statusAudit)),
    runAuditOf: prepare(ofTasks(t.runAudit)),
    logsOf: prepare(ofTasks(t.logs)),
    tasksOf: prepare(ofTasks(t.tasks, 'id')),
    statusAudit: prepare(chunkDelete(t.statusAudit, 'at < ?')),
    runAudit: prepare(chunkDelete(t.runAudit, 'at < ?')),
    logs: prepare(chunkDelete(t.logs, 'at < ?')),
  };
}

/** Runs one unit of work on the open session (the connection's busy-retrying `run`). */
export type RunOnSession = <T>(operation: string, work: (session: Session) => T) => Promise<T>;

/** What one chunk removed, and how many rows of the table it walks (a full chunk means: go on). */
type ChunkResult = RetentionResult & { walked: number };
type Chunk = (statements: RetentionStatements, cutoff: number) => ChunkResult;

function historyChunk(name: 'statusAudit' | 'runAudit' | 'logs'): Chunk {
  return (statements, cutoff) => {
    const deleted = statements[name].run(cutoff).changes;
    const counts = name === 'logs' ? { audits: 0, logs: deleted } : { audits: deleted, logs: 0 };
    return { tasks: 0, ...counts, walked: deleted };
  };
}

/**
 * Expired tasks with their history: the audit rows and logs are deleted explicitly (rather than
 * left to the foreign keys' cascade) so that the result counts them.
 */
function taskChunk(select: 'completedIds' | 'failedIds'): Chunk {
  return (statements, cutoff) => {
    const ids = statements[select].all(cutoff).map((row) => row.id);
    if (ids.length === 0) return { tasks: 0, audits: 0, logs: 0, walked: 0 };
    const list = JSON.stringify(ids);
    const audits = statements.statusAuditOf.run(list).changes + statements.runAuditOf.run(list).changes;
    const logs = statements.logsOf.run(list).changes;
    return { tasks: statements.tasksOf.run(list).changes, audits, logs, walked: ids.length };
  };
}

/**
 * Applies a (validated) retention policy and counts what it removed: history by age first, then
 * the expired tasks with the history they still have, so every row is counted once.
 */
export async function cleanup(run: RunOnSession, policy: RetentionPolicy): Promise<RetentionResult> {
  const result: RetentionResult = { tasks: 0, audits: 0, logs: 0 };
  const steps: [number | undefined, Chunk][] = [
    [policy.auditBefore, historyChunk('statusAudit')],
    [policy.auditBefore, historyChunk('runAudit')],
    [policy.logsBefore, historyChunk('logs')],
    [policy.completedBefore, taskChunk('completedIds')],
    [policy.failedBefore, taskChunk('failedIds')],
  ];
  for (const [cutoff, chunk] of steps) {
    if (cutoff === undefined) continue;
    // Deleted in chunks, each its own short transaction, yielding between chunks so neither this
    // event loop nor other processes wait for one long delete.
    for (;;) {
      const removed = await run('cleanup', (session) =>
        session.db.transaction(() => chunk(session.statements.retention, cutoff)).immediate(),
      );
      result.tasks += removed.tasks;
      result.audits += removed.audits;
      result.logs += removed.logs;
      if (removed.walked < CLEANUP_CHUNK) break;
      await yieldToEventLoop();
    }
  }
  return result;
}
