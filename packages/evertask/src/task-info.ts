import type { AuditLevel, RunOutcome, StoredTask, TaskStatus } from './ports/task-record.js';
import type { PayloadCodec } from './serialization/payload-codec.js';

/** A stored task as `getTask` returns it. */
export interface TaskInfo<P = unknown> {
  id: string;
  name: string;
  status: TaskStatus;
  /** The payload as dispatched (after a JSON round trip: Dates come back as ISO strings). */
  payload: P;
  queue: string;
  taskKey: string | null;
  auditLevel: AuditLevel;
  /** Attempts started so far (retries included). */
  attempts: number;
  /** Text of the last failure. */
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
  scheduledAt: Date | null;
  /** When it runs next, if it will. */
  dueAt: Date | null;
  lastExecutionAt: Date | null;
  executionTimeMs: number | null;
  /** Present for recurring series. */
  recurring: {
    description: string | null;
    runCount: number;
    maxRuns: number | null;
    runUntil: Date | null;
    lastOutcome: RunOutcome | null;
  } | null;
}

const toDate = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

export function toTaskInfo(task: StoredTask, codec: PayloadCodec): TaskInfo {
  let payload: unknown;
  try {
    payload = codec.parse(task.payload);
  } catch {
    payload = task.payload;
  }
  return {
    id: task.id,
    name: task.name,
    status: task.status,
    payload,
    queue: task.queue,
    taskKey: task.taskKey,
    auditLevel: task.auditLevel,
    attempts: task.attempts,
    error: task.error,
    createdAt: new Date(task.createdAt),
    updatedAt: new Date(task.updatedAt),
    scheduledAt: toDate(task.scheduledAt),
    dueAt: toDate(task.dueAt),
    lastExecutionAt: toDate(task.lastExecutionAt),
    executionTimeMs: task.executionTimeMs,
    recurring:
      task.recurring === null
        ? null
        : {
            description: task.recurringInfo,
            runCount: task.runCount,
            maxRuns: task.maxRuns,
            runUntil: toDate(task.runUntil),
            lastOutcome: task.lastOutcome,
          },
  };
}
