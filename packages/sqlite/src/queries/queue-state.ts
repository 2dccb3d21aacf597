/** Paused queues: one row per paused queue, which the claim statements leave out (queries/claims.ts). */
import type { PausedQueue, QueueStateChange } from 'evertask';
import { readers } from '../row-mapping.js';
import type { Prepare, Statement, QuerySession } from './query-session.js';
import type { TableNames } from './tables.js';

/** The connection as this module sees it. */
type Session = QuerySession<{ queueState: QueueStateStatements }>;

export interface QueueStateStatements {
  pause: Statement;
  resume: Statement;
  list: Statement;
}

export function prepareQueueStateStatements(prepare: Prepare, t: TableNames): QueueStateStatements {
  return {
    // a second pause keeps the first row (when and by whom)
    pause: prepare(`INSERT INTO ${t.pausedQueues} (queue, paused_at, paused_by) VALUES (?, ?, ?) ON CONFLICT (queue) DO NOTHING`),
    resume: prepare(`DELETE FROM ${t.pausedQueues} WHERE queue = ?`),
    list: prepare(`SELECT queue, paused_at, paused_by FROM ${t.pausedQueues} ORDER BY queue`),
  };
}

/** Pauses or resumes a queue; returns whether its state changed. */
export function setQueuePaused(session: Session, queue: string, paused: boolean, change: QueueStateChange): boolean {
  const statements = session.statements.queueState;
  const result = paused ? statements.pause.run(queue, change.at, change.actor) : statements.resume.run(queue);
  return result.changes > 0;
}

export function pausedQueues(session: Session): PausedQueue[] {
  return session.statements.queueState.list.all().map(readers.pausedQueue);
}
