/**
 * The records a storage keeps. Times are epoch milliseconds (UTC) everywhere in the storage port:
 * they compare cheaply, survive JSON and map onto every database's native timestamp type.
 */

/** Task status, stored as these exact strings. */
export type TaskStatus =
  | 'waiting'
  | 'queued'
  | 'in-progress'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'service-stopped';

export const TASK_STATUSES: readonly TaskStatus[] = [
  'waiting',
  'queued',
  'in-progress',
  'completed',
  'failed',
  'cancelled',
  'service-stopped',
];

/** Statuses after which a one-off task never runs again. */
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

/** How much of a task's history is audited (reference §O). */
export type AuditLevel = 'full' | 'minimal' | 'errors-only' | 'none';

export const AUDIT_LEVELS: readonly AuditLevel[] = ['full', 'minimal', 'errors-only', 'none'];

/** Outcome of the last run of a recurring series. */
export type RunOutcome = 'completed' | 'failed';

/** One task as the storage keeps it. */
export interface StoredTask {
  /** UUIDv7 string. */
  id: string;
  /** The task definition's `name`. */
  name: string;
  /** The payload, serialized by the engine (JSON text). */
  payload: string;
  status: TaskStatus;
  /** Named queue the task runs on. */
  queue: string;
  /** Idempotency key; unique across all stored tasks when not null. */
  taskKey: string | null;
  auditLevel: AuditLevel;
  createdAt: number;
  /** Time of the last write to the row. */
  updatedAt: number;
  /** The time the user asked for (`delay`/`runAt`), or null for an immediate task. */
  scheduledAt: number | null;
  /**
   * When the task may run next: its scheduled time, a retry's next attempt time, or a recurring
   * series' next occurrence. `null` for tasks that will not run again.
   */
  dueAt: number | null;
  /** Attempts started in the current delivery (retries included); persisted so it survives restarts. */
  attempts: number;
  /** Time the last execution ended. */
  lastExecutionAt: number | null;
  /** Duration of the last execution in milliseconds. */
  executionTimeMs: number | null;
  /** Text of the last failure (message and stack), or null. */
  error: string | null;
  /** Instance holding the task (`queued`/`in-progress`), or null. */
  leaseOwner: string | null;
  /** When the lease lapses and another instance may take the task over. */
  leaseExpiresAt: number | null;
  /** Consecutive failures to load/parse this task when it was claimed (poison detection). */
  recoveryFailures: number;
  /** Recurring schedule (JSON text), or null for a one-off task. */
  recurring: string | null;
  /** Human-readable description of the schedule. */
  recurringInfo: string | null;
  /** Real executions of a recurring series so far. */
  runCount: number;
  maxRuns: number | null;
  /** Exclusive end of a recurring series. */
  runUntil: number | null;
  /** Outcome of the last recurring run. */
  lastOutcome: RunOutcome | null;
  /**
   * The trace context of the dispatch, written by the engine's `instrumentation` (for OpenTelemetry,
   * the W3C `traceparent`/`tracestate` headers as JSON text), so that an attempt run by any process
   * joins the dispatch's trace. Opaque to the storage; null without an instrumentation.
   */
  traceContext: string | null;
}

/** Fields a transition or an update may change. Omitted fields stay as stored. */
export interface TaskPatch {
  payload?: string;
  queue?: string;
  auditLevel?: AuditLevel;
  scheduledAt?: number | null;
  dueAt?: number | null;
  attempts?: number;
  lastExecutionAt?: number | null;
  executionTimeMs?: number | null;
  error?: string | null;
  leaseOwner?: string | null;
  leaseExpiresAt?: number | null;
  recoveryFailures?: number;
  recurring?: string | null;
  recurringInfo?: string | null;
  runCount?: number;
  maxRuns?: number | null;
  runUntil?: number | null;
  lastOutcome?: RunOutcome | null;
}

/** One row of a task's status history. */
export interface StatusAuditEntry {
  taskId: string;
  status: TaskStatus;
  at: number;
  error: string | null;
  /**
   * Who made the change: the user name an operator action recorded (run now, retry, cancel from
   * the monitor), or null for a change the engine made by itself.
   */
  actor: string | null;
}

/** One row of a recurring task's run history. */
export interface RunAuditEntry {
  taskId: string;
  at: number;
  status: TaskStatus;
  executionTimeMs: number;
  error: string | null;
}

export type LogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical';

export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'information', 'warning', 'error', 'critical'];

/** A log entry captured while a task ran. */
export interface ExecutionLogEntry {
  /** UUIDv7 string. */
  id: string;
  taskId: string;
  at: number;
  level: LogLevel;
  message: string;
  exception: string | null;
  /** 0, 1, 2… within one execution. */
  sequence: number;
}
