/** Retention cleanup: old finished one-off tasks and old history, deleted in short chunks. */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { RetentionPolicy, RetentionResult } from 'evertask';
import type { Prepare, SqliteSession, Statement } from './session.js';
import type { TableNames } from './tables.js';

/** Rows deleted per transaction by `cleanup`, so other processes are not locked out for long. */
const CLEANUP_CHUNK = 2000;

export interface RetentionStatements {
  completed: Statement;
  failed: Statement;
  statusAudit: Statement;
  runAudit: Statement;
  logs: Statement;
}

export function prepareRetentionStatements(prepare: Prepare, t: TableNames): RetentionStatements {
  const chunkDelete = (table: string, where: string, key = 'id'): string =>
    `DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${where} LIMIT ${CLEANUP_CHUNK})`;
  return {
    completed: prepare(chunkDelete(t.tasks, `status = 'completed' AND recurring IS NULL AND updated_at < ?`)),
    failed: prepare(chunkDelete(t.tasks, `status IN ('failed', 'cancelled') AND recurring IS NULL AND updated_at < ?`)),
    statusAudit: prepare(chunkDelete(t.statusAudit, 'at < ?')),
    runAudit: prepare(chunkDelete(t.runAudit, 'at < ?')),
    logs: prepare(chunkDelete(t.logs, 'at < ?')),
  };
}

/** Runs one unit of work on the open session (the connection's busy-retrying `run`). */
export type RunOnSession = <T>(operation: string, work: (session: SqliteSession) => T) => Promise<T>;

/** Applies a (validated) retention policy and counts what it removed. */
export async function cleanup(run: RunOnSession, policy: RetentionPolicy): Promise<RetentionResult> {
  const result: RetentionResult = { tasks: 0, audits: 0, logs: 0 };
  // History first, then tasks: rows removed with their task (cascade) are not counted as audits or logs.
  const steps: [number | undefined, keyof RetentionResult, keyof RetentionStatements][] = [
    [policy.auditBefore, 'audits', 'statusAudit'],
    [policy.auditBefore, 'audits', 'runAudit'],
    [policy.logsBefore, 'logs', 'logs'],
    [policy.completedBefore, 'tasks', 'completed'],
    [policy.failedBefore, 'tasks', 'failed'],
  ];
  for (const [cutoff, counter, name] of steps) {
    if (cutoff === undefined) continue;
    // Deleted in chunks, each its own short transaction, yielding between chunks so neither this
    // event loop nor other processes wait for one long delete.
    for (;;) {
      const deleted = await run('cleanup', (session) => {
        const chunk = session.db.transaction(() => session.statements.retention[name].run(cutoff).changes);
        return chunk.immediate();
      });
      result[counter] += deleted;
      if (deleted < CLEANUP_CHUNK) break;
      await yieldToEventLoop();
    }
  }
  return result;
}
